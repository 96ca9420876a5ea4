package io.roomcast.gateway.members;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.session.ServerFrames;
import io.roomcast.gateway.session.Session;
import io.roomcast.gateway.ws.wire.WireFrame;
import io.roomcast.proto.v1.ServerFrame;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * This node's members of one room, and the delivery of the room's frames to their sockets: each
 * frame is prepared for the wire once and the same bytes go to every member (encode once, write
 * many; see "The socket layer" in docs/architecture.md). Frames stamped with an epoch older than
 * one already seen come from a deposed owner and are dropped; the newest epoch's sender is the
 * room's current owner, where this node routes the members' requests.
 *
 * <p>A session whose join (or resume) is on its way is <em>expected</em>: the room's frames are
 * kept for it, and {@link #admit} sends its Joined, then the events replayed for it, then the
 * kept frames the Joined does not already cover, and makes it a member — all under this
 * fan-out's lock, so no frame of the room reaches it before its Joined, and none is lost or sent
 * twice in between.
 *
 * <p>Frames come from two places: the room's thread when this node owns the room (its own frames,
 * delivered directly), and the bus for a room another node owns, to which the fan-out is
 * subscribed only then. A frame on the bus that this node sent itself is an echo and is dropped.
 *
 * <p>Thread-safe: members change rarely (join, leave) and are read on every frame, hence the
 * copy-on-write list; frames are delivered one at a time under this object's lock, which never
 * calls out to {@link Members}' map (the lost-room callback runs after it is released).
 */
public final class RoomFanout {

    /** Frames kept for one expected session at most; past it they are dropped for it (docs/operations.md). */
    static final int MAX_KEPT_FRAMES = 1024;

    private final NodeMetrics metrics;
    private final String roomId;
    private final String selfNode;
    private final MessageBus bus;
    private final Consumer<RoomFanout> onLost;
    private final Consumer<RoomFanout> onReleased;
    private final CopyOnWriteArrayList<Session> members = new CopyOnWriteArrayList<>();
    private final Map<Session, List<byte[]>> expected = new LinkedHashMap<>(); // guarded by this
    private volatile long highestEpoch;
    private volatile String owner;
    private volatile long lastFrameNanos = System.nanoTime();
    private volatile long lastTick;
    private volatile long lastEventOffset;
    private boolean hostedHere; // guarded by this
    private MessageBus.Subscription subscription; // guarded by this; null while not subscribed

    RoomFanout(NodeMetrics metrics, String roomId, String selfNode, MessageBus bus, String owner,
               Consumer<RoomFanout> onLost, Consumer<RoomFanout> onReleased) {
        this.onReleased = onReleased;
        this.metrics = metrics;
        this.roomId = roomId;
        this.selfNode = selfNode;
        this.bus = bus;
        this.owner = owner;
        this.onLost = onLost;
    }

    public String roomId() {
        return roomId;
    }

    /** Room thread of the owner, or the bus's thread: one frame of the room for the members here. */
    public void deliver(MessageBus.RoomFrame message) {
        boolean lost;
        synchronized (this) {
            lost = deliverLocked(message);
        }
        if (lost) {
            onLost.accept(this);
        } else if (message.released() && message.epoch() >= highestEpoch) {
            onReleased.accept(this); // outside the lock: the claim goes through Members and Redis
        }
    }

    private boolean deliverLocked(MessageBus.RoomFrame message) {
        if (message.epoch() < highestEpoch) {
            metrics.staleEpochDropped.increment();
            return false;
        }
        highestEpoch = message.epoch();
        owner = message.ownerNode();
        lastFrameNanos = System.nanoTime();
        lastTick = Math.max(lastTick, message.tick());
        lastEventOffset = Math.max(lastEventOffset, message.lastEventOffset());
        if (message.lost()) {
            endForEveryone(message.frame());
            return true;
        }
        if (message.released()) {
            return false; // no frame for the members: the room moves, its next owner's keyframe follows
        }
        String except = message.exceptPlayer();
        ServerFrame.BodyCase body = ServerFrames.bodyOf(message.frame());
        WireFrame frame = WireFrame.binary(message.frame(), body == ServerFrame.BodyCase.STATE, body);
        for (Session member : members) {
            if (except == null || !except.equals(member.id())) {
                member.send(frame);
            }
        }
        expected.forEach((session, kept) -> {
            if ((except == null || !except.equals(session.id())) && kept.size() < MAX_KEPT_FRAMES) {
                kept.add(message.frame());
            }
        });
        return false;
    }

    /** The room is gone: every member and expected session gets {@code leftFrame} and leaves it. */
    synchronized void endLocally(byte[] leftFrame) {
        endForEveryone(leftFrame);
    }

    private void endForEveryone(byte[] leftFrame) {
        List<Session> everyone = new ArrayList<>(members);
        everyone.addAll(expected.keySet());
        members.clear();
        expected.clear();
        for (Session session : everyone) {
            session.leftRoom(roomId);
            session.send(leftFrame);
        }
    }

    /** Keeps the room's frames for {@code session} until {@link #admit} or {@link #forget}. */
    synchronized void expect(Session session) {
        expected.putIfAbsent(session, new ArrayList<>());
    }

    /**
     * Sends the session its {@code joined} frame, the events {@code replayed} for it, then the
     * frames kept since it was expected that are newer than the Joined (a state of a later tick
     * than its keyframe, an event after its log position), and makes it a member. False if the
     * session was not expected any more (the room was lost meanwhile): nothing is sent.
     */
    synchronized boolean admit(Session session, byte[] joined, List<byte[]> replayed) {
        List<byte[]> kept = expected.remove(session);
        if (kept == null) {
            return false;
        }
        session.send(joined);
        replayed.forEach(session::send);
        long keyframeTick;
        long lastEventOffset;
        try {
            var parsed = ServerFrame.parseFrom(joined).getJoined();
            keyframeTick = parsed.getKeyframe().getTick();
            lastEventOffset = parsed.getLastEventOffset();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a Joined frame", e);
        }
        for (byte[] frame : kept) {
            if (isNewerThan(frame, keyframeTick, lastEventOffset)) {
                session.send(frame);
            }
        }
        members.addIfAbsent(session);
        return true;
    }

    private static boolean isNewerThan(byte[] frame, long keyframeTick, long lastEventOffset) {
        try {
            ServerFrame parsed = ServerFrame.parseFrom(frame);
            if (parsed.hasState()) {
                return parsed.getState().getTick() > keyframeTick;
            }
            if (parsed.hasEvent() && parsed.getEvent().getOffset() > 0) {
                return parsed.getEvent().getOffset() > lastEventOffset;
            }
            return true;
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    synchronized void forget(Session session) {
        expected.remove(session);
    }

    /** Removes the member (or expected session); true if nothing keeps the fan-out any more. */
    synchronized boolean remove(Session session) {
        members.remove(session);
        expected.remove(session);
        return isUnused();
    }

    synchronized boolean isUnused() {
        return members.isEmpty() && expected.isEmpty() && !hostedHere;
    }

    /** Whether this node owns the room now (its frames come from the room's thread, not the bus). */
    synchronized boolean isHostedHere() {
        return hostedHere;
    }

    synchronized void hostedHere(boolean hosted) {
        this.hostedHere = hosted;
    }

    /** Listens to the room's channel, unless it already does; completes when listening. */
    synchronized CompletionStage<Void> subscribe() {
        if (subscription == null) {
            subscription = bus.subscribeRoom(roomId, this::fromBus);
        }
        return subscription.ready();
    }

    /** Stops listening to the room's channel, if it did. */
    synchronized void unsubscribe() {
        if (subscription != null) {
            subscription.unsubscribe();
            subscription = null;
        }
    }

    synchronized CompletionStage<Void> listening() {
        return subscription == null ? CompletableFuture.completedFuture(null) : subscription.ready();
    }

    private void fromBus(MessageBus.RoomFrame message) {
        if (selfNode.equals(message.ownerNode())) {
            return; // our own frame back from the channel: the members here had it directly
        }
        deliver(message);
    }

    /** The node that owns the room, as far as this node knows. */
    String owner() {
        return owner;
    }

    /** The room has a new owner (this node took it over): frames of older epochs are stale from now on. */
    synchronized void owner(String node, long epoch) {
        if (epoch >= highestEpoch) {
            highestEpoch = epoch;
            owner = node;
            lastFrameNanos = System.nanoTime();
        }
    }

    long highestEpoch() {
        return highestEpoch;
    }

    /** Counts the room's silence from now (see {@link Members#unhost(RoomFanout, boolean)}). */
    void heardNow() {
        lastFrameNanos = System.nanoTime();
    }

    /** When the last frame from the owner arrived (System.nanoTime). */
    long lastFrameNanos() {
        return lastFrameNanos;
    }

    /** The highest event log position of the room's frames heard here. */
    long lastEventOffset() {
        return lastEventOffset;
    }

    /** The highest tick of the room's frames heard here. */
    long lastTick() {
        return lastTick;
    }
}
