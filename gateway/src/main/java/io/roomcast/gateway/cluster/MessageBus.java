package io.roomcast.gateway.cluster;

import io.roomcast.proto.cluster.NodeMessage;

import java.util.function.Consumer;

/**
 * Node-to-node messaging. A room's channel carries its owner's output to the nodes that have
 * members in the room (a node subscribes while it has at least one); a node's inbox carries
 * requests and replies for that node. Delivery is at most once and in order per channel.
 * Thread-safe; listeners run on the bus's thread and must not block.
 */
public interface MessageBus {

    /**
     * What an owner sends on a room's channel: one encoded ServerFrame for every member but
     * {@code exceptPlayer} (nullable), stamped with the owner's lease epoch.
     */
    record RoomFrame(String roomId, String ownerNode, long epoch, byte[] frame, String exceptPlayer) {}

    interface Subscription {
        void unsubscribe();
    }

    void publishRoom(RoomFrame message);

    Subscription subscribeRoom(String roomId, Consumer<RoomFrame> listener);

    void publishNode(String nodeId, NodeMessage message);

    /** This node's inbox; called once at start. */
    Subscription subscribeNode(String nodeId, Consumer<NodeMessage> listener);
}
