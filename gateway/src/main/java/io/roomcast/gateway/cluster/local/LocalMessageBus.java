package io.roomcast.gateway.cluster.local;

import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.proto.cluster.NodeMessage;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The single-node bus: publish calls the subscribers directly, on the publisher's thread (the
 * room's), so the bytes the room encoded go to the sockets with no copy and no hop. Thread-safe.
 */
public final class LocalMessageBus implements MessageBus {

    private final ConcurrentHashMap<String, List<Consumer<RoomFrame>>> rooms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, List<Consumer<NodeMessage>>> nodes = new ConcurrentHashMap<>();

    @Override
    public void publishRoom(RoomFrame message) {
        deliver(rooms, message.roomId(), message);
    }

    @Override
    public Subscription subscribeRoom(String roomId, Consumer<RoomFrame> listener) {
        return subscribe(rooms, roomId, listener);
    }

    @Override
    public void publishNode(String nodeId, NodeMessage message) {
        deliver(nodes, nodeId, message);
    }

    @Override
    public Subscription subscribeNode(String nodeId, Consumer<NodeMessage> listener) {
        return subscribe(nodes, nodeId, listener);
    }

    private static <T> void deliver(ConcurrentHashMap<String, List<Consumer<T>>> channels, String channel, T message) {
        List<Consumer<T>> listeners = channels.get(channel);
        if (listeners != null) {
            for (Consumer<T> listener : listeners) {
                listener.accept(message);
            }
        }
    }

    private static <T> Subscription subscribe(ConcurrentHashMap<String, List<Consumer<T>>> channels, String channel,
                                              Consumer<T> listener) {
        channels.computeIfAbsent(channel, id -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> channels.computeIfPresent(channel, (id, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }
}
