package io.roomcast.gateway.room;

import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.session.Session;
import io.roomcast.gateway.ws.wire.WireFrame;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This node's members of one room, and the delivery of the room's frames to their sockets: each
 * frame is prepared for the wire once and the same bytes go to every member (encode once, write
 * many; see "The socket layer" in docs/architecture.md). Frames stamped with an epoch
 * older than one already seen come from a deposed owner and are dropped; the newest epoch's
 * sender is the room's current owner, where this node routes the members' requests.
 *
 * <p>Thread-safe: members change rarely (join, leave) and are read on every frame, hence the
 * copy-on-write list; frames of one room arrive on one thread at a time (the bus's guarantee).
 */
final class RoomFanout {

    private final NodeMetrics metrics;
    private final CopyOnWriteArrayList<Session> members = new CopyOnWriteArrayList<>();
    private volatile long highestEpoch;
    private volatile String owner;
    private volatile long lastFrameNanos = System.nanoTime();
    private MessageBus.Subscription subscription; // set once, right after construction

    RoomFanout(NodeMetrics metrics, String owner) {
        this.metrics = metrics;
        this.owner = owner;
    }

    void subscription(MessageBus.Subscription subscription) {
        this.subscription = subscription;
    }

    void deliver(MessageBus.RoomFrame message) {
        if (message.epoch() < highestEpoch) {
            metrics.staleEpochDropped.increment();
            return;
        }
        highestEpoch = message.epoch();
        owner = message.ownerNode();
        lastFrameNanos = System.nanoTime();
        String except = message.exceptPlayer();
        WireFrame frame = WireFrame.binary(message.frame(), ServerFrames.isState(message.frame()));
        for (Session member : members) {
            if (except == null || !except.equals(member.id())) {
                member.send(frame);
            }
        }
    }

    /** The node that owns the room, as far as this node knows. */
    String owner() {
        return owner;
    }

    void owner(String node, long epoch) {
        if (epoch >= highestEpoch) {
            highestEpoch = epoch;
            owner = node;
            lastFrameNanos = System.nanoTime();
        }
    }

    /** When the last frame from the owner arrived (System.nanoTime). */
    long lastFrameNanos() {
        return lastFrameNanos;
    }

    void add(Session session) {
        members.addIfAbsent(session);
    }

    /** Removes the member; true if none is left (the caller then drops the fan-out). */
    boolean remove(Session session) {
        members.remove(session);
        return members.isEmpty();
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    void unsubscribe() {
        subscription.unsubscribe();
    }
}
