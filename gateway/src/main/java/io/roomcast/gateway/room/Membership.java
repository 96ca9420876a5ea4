package io.roomcast.gateway.room;

import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.session.Session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Which of this node's sessions are in which room, whoever owns it: one {@link RoomFanout} per
 * room while it has a member (or a join on the way), subscribed to the room's channel when
 * another node owns the room, and what this node knows of each room's owner. Thread-safe.
 */
final class Membership {

    /** A room whose owner has been silent, and who that owner was. */
    record SilentRoom(String roomId, String formerOwner) {}

    private final String nodeId;
    private final MessageBus bus;
    private final NodeMetrics metrics;
    private final ConcurrentHashMap<String, RoomFanout> fanouts = new ConcurrentHashMap<>();

    Membership(String nodeId, MessageBus bus, NodeMetrics metrics) {
        this.nodeId = nodeId;
        this.bus = bus;
        this.metrics = metrics;
    }

    /** Listens to the room's channel (before a join, so its first states are not missed). */
    void listen(String roomId, String owner) {
        fanouts.computeIfAbsent(roomId, id -> newFanout(id, owner));
    }

    /** The session receives the room's frames from now on. */
    void add(String roomId, Session session, String owner) {
        fanouts.computeIfAbsent(roomId, id -> newFanout(id, owner)).add(session);
    }

    /** The session leaves the room here: no more frames, and the channel is dropped with its last member. */
    void remove(Session session, String roomId) {
        session.leftRoom(roomId);
        fanouts.computeIfPresent(roomId, (id, fanout) -> {
            if (fanout.remove(session)) {
                fanout.unsubscribe();
                return null;
            }
            return fanout;
        });
    }

    /** Stops listening to a room with no member here, unless {@code stillWanted} (a join on the way). */
    void dropIfEmpty(String roomId, Predicate<String> stillWanted) {
        fanouts.computeIfPresent(roomId, (id, fanout) -> {
            if (fanout.isEmpty() && !stillWanted.test(id)) {
                fanout.unsubscribe();
                return null;
            }
            return fanout;
        });
    }

    /** The room's owner as far as this node knows (from the join, then from its frames); null if none. */
    String ownerOf(String roomId) {
        RoomFanout fanout = fanouts.get(roomId);
        return fanout == null ? null : fanout.owner();
    }

    /**
     * This node (or another) took the room over with {@code epoch}. A room this node owns now is
     * not listened to any more: its frames reach the members here directly.
     */
    void ownerChanged(String roomId, String owner, long epoch) {
        RoomFanout fanout = fanouts.get(roomId);
        if (fanout != null) {
            fanout.owner(owner, epoch);
            if (nodeId.equals(owner)) {
                fanout.unsubscribe();
            } else {
                fanout.subscribe();
            }
        }
    }

    /** This node lost the room to another (fenced): the members here hear the new owner from the channel. */
    void ownershipLost(String roomId) {
        RoomFanout fanout = fanouts.get(roomId);
        if (fanout != null) {
            fanout.subscribe();
        }
    }

    /** Room thread of a room this node owns: one of its frames, to the members here. */
    void deliverLocally(MessageBus.RoomFrame frame) {
        RoomFanout fanout = fanouts.get(frame.roomId());
        if (fanout != null) {
            fanout.deliver(frame);
        }
    }

    /** Rooms with members here whose owner sent nothing for {@code silenceNanos}. */
    List<SilentRoom> silentRooms(long silenceNanos) {
        long now = System.nanoTime();
        List<SilentRoom> silent = new ArrayList<>();
        fanouts.forEach((roomId, fanout) -> {
            if (now - fanout.lastFrameNanos() > silenceNanos) {
                silent.add(new SilentRoom(roomId, fanout.owner()));
            }
        });
        return silent;
    }

    private RoomFanout newFanout(String roomId, String owner) {
        RoomFanout fanout = new RoomFanout(metrics, roomId, nodeId, bus, owner);
        if (!nodeId.equals(owner)) {
            fanout.subscribe();
        }
        return fanout;
    }
}
