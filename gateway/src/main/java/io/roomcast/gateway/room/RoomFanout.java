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
 * <p>Frames come from two places: the room's thread when this node owns the room (its own
 * frames, delivered directly), and the bus for a room another node owns, to which the fan-out
 * is subscribed only then (see "The path of a message" in docs/architecture.md). A frame on the bus that
 * this node sent itself is an echo and is dropped: its members had it directly.
 *
 * <p>Thread-safe: members change rarely (join, leave) and are read on every frame, hence the
 * copy-on-write list; frames are delivered one at a time (from the room's thread, the bus's
 * thread, or both while the room changes owner).
 */
final class RoomFanout {

    private final NodeMetrics metrics;
    private final String roomId;
    private final String selfNode;
    private final MessageBus bus;
    private final CopyOnWriteArrayList<Session> members = new CopyOnWriteArrayList<>();
    private volatile long highestEpoch;
    private volatile String owner;
    private volatile long lastFrameNanos = System.nanoTime();
    private MessageBus.Subscription subscription; // guarded by this; null while not subscribed

    RoomFanout(NodeMetrics metrics, String roomId, String selfNode, MessageBus bus, String owner) {
        this.metrics = metrics;
        this.roomId = roomId;
        this.selfNode = selfNode;
        this.bus = bus;
        this.owner = owner;
    }

    /** Listens to the room's channel, unless it already does. */
    synchronized void subscribe() {
        if (subscription == null) {
            subscription = bus.subscribeRoom(roomId, this::fromBus);
        }
    }

    /** Stops listening to the room's channel, if it did. */
    synchronized void unsubscribe() {
        if (subscription != null) {
            subscription.unsubscribe();
            subscription = null;
        }
    }

    private void fromBus(MessageBus.RoomFrame message) {
        if (selfNode.equals(message.ownerNode())) {
            return; // our own frame back from the channel: the members here had it directly
        }
        deliver(message);
    }

    synchronized void deliver(MessageBus.RoomFrame message) {
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

}
