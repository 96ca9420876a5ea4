package io.roomcast.gateway.members;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.loop.TickGrid;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.session.ServerFrames;
import io.roomcast.gateway.session.Session;
import io.roomcast.gateway.ws.Recipients;
import io.roomcast.gateway.ws.SendBurst;
import io.roomcast.gateway.ws.wire.WireFrame;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.ServerFrame;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
 * <p>Room events are delivered in offset order with no gap: pub/sub delivers at most once, so a
 * frame showing that events went missing (an event past the next offset, a state whose log
 * position is past the last event delivered here) makes the fan-out ask the owner for them
 * ({@link MissedEvents}), holding newer events back until they came ("Event gaps heal" in
 * docs/architecture.md).
 *
 * <p>Frames come from two places: the room's thread when this node owns the room (its own frames,
 * delivered directly), and the bus for a room another node owns, to which the fan-out is
 * subscribed only then. A frame on the bus that this node sent itself is an echo and is dropped.
 *
 * <p>Thread-safe: frames are delivered one at a time under this object's lock, which never calls
 * out to {@link Members}' map (the lost-room callback runs after it is released). Members change
 * rarely (join, leave): their sockets are grouped by I/O thread ({@link Recipients}) at the first
 * frame after a change, and each frame is handed to each I/O thread once, which sends it to its
 * own members; the copy-on-write list lets any thread count them.
 */
public final class RoomFanout {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RoomFanout.class);

    /** Frames kept for one expected session at most; past it they are dropped for it (docs/operations.md). */
    static final int MAX_KEPT_FRAMES = 1024;

    /** The longest one request for missed events may take before it counts as unanswered. */
    static final long REPAIR_TIMEOUT_MILLIS = 2000;
    /** Requests for missed events before the fan-out gives up on them, and the pause between two. */
    static final int REPAIR_ATTEMPTS = 5;
    static final long REPAIR_PAUSE_MILLIS = 1000;

    private final NodeMetrics metrics;
    private final String roomId;
    private final String selfNode;
    private final MessageBus bus;
    private final Consumer<RoomFanout> onLost;
    private final Consumer<RoomFanout> onReleased;
    private final CopyOnWriteArrayList<Member> members = new CopyOnWriteArrayList<>();
    private Recipients recipients; // guarded by this; null: to be built from the members at the next frame
    private final Map<Session, List<Kept>> expected = new LinkedHashMap<>(); // guarded by this
    private volatile long highestEpoch;
    private volatile String owner;
    private volatile long lastFrameNanos = System.nanoTime();
    private volatile long lastTick;
    private volatile long lastEventOffset;
    private volatile TickGrid tickGrid; // from a Joined; null before the first
    private boolean hostedHere; // guarded by this
    private final MissedEvents missedEvents;
    // Event order (guarded by this): the last event offset delivered here (-1 before the first
    // frame), whether a request for missed events is out, the events held back meanwhile, and
    // the log position that request must reach. Each member's start in the log is in its Member.
    private long horizon = -1;
    private boolean repairing;
    private long repairTarget;
    private int repairAttempts;
    private final List<MessageBus.RoomFrame> held = new ArrayList<>();
    private MessageBus.Subscription subscription; // guarded by this; null while not subscribed

    RoomFanout(NodeMetrics metrics, String roomId, String selfNode, MessageBus bus, String owner,
               MissedEvents missedEvents, Consumer<RoomFanout> onLost, Consumer<RoomFanout> onReleased) {
        this.missedEvents = missedEvents;
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
            // Each member's I/O thread gets the frame in one hand-off, made before the lock is
            // released: the order of the room's frames, which this lock sets, is the order the
            // members' sockets get them in.
            try (var ignored = SendBurst.open()) {
                lost = deliverLocked(message);
            }
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
        if (message.epoch() > highestEpoch && message.lastEventOffset() < horizon) {
            horizon = message.lastEventOffset(); // a new owner whose log lost some of the former's: go on from it
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
        boolean isEvent = ServerFrames.isEvent(message.frame());
        long logAt = message.lastEventOffset();
        if (horizon < 0) {
            horizon = isEvent ? logAt - 1 : logAt;
        }
        if (!isEvent) {
            send(message);
            if (logAt > horizon) {
                missed(logAt); // events before this state never came
            }
        } else if (repairing) {
            held.add(message);
        } else if (logAt == horizon + 1) {
            send(message);
            horizon = logAt;
        } else if (logAt > horizon + 1) {
            held.add(message);
            missed(logAt - 1);
        } // else: at or before the horizon, delivered already (a repair got it first)
        return false;
    }

    private void send(MessageBus.RoomFrame message) {
        String except = message.exceptPlayer();
        ServerFrame.BodyCase body = ServerFrames.bodyOf(message.frame());
        Recipients recipients = recipients();
        WireFrame frame = WireFrame.binary(message.frame(), body == ServerFrame.BodyCase.STATE, body, recipients.size());
        // An event held back during a repair may be older than a member admitted meanwhile.
        recipients.send(frame, except, body == ServerFrame.BodyCase.EVENT ? message.lastEventOffset() : Long.MAX_VALUE);
        keep(message.epoch(), message.frame(), except);
    }

    /**
     * The members' sockets, grouped by I/O thread: built again after a member came or went (a
     * new socket of a member comes with a new admission), kept for every frame in between.
     */
    private Recipients recipients() {
        if (recipients == null) {
            Recipients.Builder builder = new Recipients.Builder();
            for (Member member : members) {
                builder.add(member.session().connection(), member.session().id(), member.joinedAt());
            }
            recipients = builder.build();
        }
        return recipients;
    }

    /** A frame kept for an expected session, with the epoch of the owner that sent it. */
    private record Kept(long epoch, byte[] frame) {}

    /** A member here, and the room's log position its Joined covered (events up to it came with the Joined or its replay). */
    private record Member(Session session, long joinedAt) {}

    private void keep(long epoch, byte[] frame, String except) {
        expected.forEach((session, kept) -> {
            if ((except == null || !except.equals(session.id())) && kept.size() < MAX_KEPT_FRAMES) {
                kept.add(new Kept(epoch, frame));
            }
        });
    }

    /** Events up to {@code upTo} went missing here: asks the owner for those after the horizon. */
    private void missed(long upTo) {
        repairTarget = Math.max(repairTarget, upTo);
        if (repairing) {
            return;
        }
        repairing = true;
        repairAttempts = 0;
        askForMissed();
    }

    private void askForMissed() {
        long after = horizon;
        log.info("room {}: events after {} (up to {}) missed here; asking {}", roomId, after, repairTarget, owner);
        CompletableFuture<List<byte[]>> answer;
        try {
            answer = owner == null ? CompletableFuture.failedFuture(new IllegalStateException("no owner known"))
                    : missedEvents.after(owner, roomId, after).toCompletableFuture();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        // Every request ends: a room's events are held back meanwhile, so a request never answered
        // (an owner that closed the room with it queued) must not hold them for good.
        answer.orTimeout(REPAIR_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).whenComplete((events, failure) -> {
            if (failure != null && retryRepair()) {
                return;
            }
            repaired(events == null ? List.of() : events);
        });
    }

    /**
     * The owner did not answer: asks again a second later, {@link #REPAIR_ATTEMPTS} times in all
     * (its answer may have been published before this node's inbox was subscribed again after a
     * Redis restart, or Redis went away again meanwhile), so a repair outlives a fault of a few
     * seconds right after the one that caused the gap.
     */
    private synchronized boolean retryRepair() {
        if (++repairAttempts >= REPAIR_ATTEMPTS) {
            return false;
        }
        CompletableFuture.delayedExecutor(REPAIR_PAUSE_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
            synchronized (this) {
                askForMissed();
            }
        });
        return true;
    }

    /**
     * The owner's answer (empty if it had none or could not be asked): the missing events go out
     * in order, then those held back; what is still missing then stays missing.
     */
    private synchronized void repaired(List<byte[]> events) {
        log.info("room {}: {} missed events came (horizon {}, {} held, target {})", roomId, events.size(), horizon, held.size(), repairTarget);
        for (byte[] event : events) {
            Event parsed = parseEvent(event);
            if (parsed == null || parsed.getOffset() <= horizon) {
                continue;
            }
            skipTo(parsed.getOffset());
            sendRepaired(event, parsed);
            metrics.eventGapsRepaired.increment();
        }
        repairing = false;
        List<MessageBus.RoomFrame> pending = new ArrayList<>(held);
        held.clear();
        for (MessageBus.RoomFrame message : pending) {
            if (message.lastEventOffset() > horizon) {
                skipTo(message.lastEventOffset());
                send(message);
            }
        }
        if (repairTarget > horizon) {
            metrics.eventGapsUnrepaired.add(repairTarget - horizon);
            horizon = repairTarget;
        }
    }

    /** Moves the horizon to just before {@code offset}, counting what it skips as lost. */
    private void skipTo(long offset) {
        if (offset > horizon + 1) {
            metrics.eventGapsUnrepaired.add(offset - horizon - 1);
        }
        horizon = offset;
    }

    /** A missed event, as live traffic would have had it: not to its sender, not to a member who joined after it. */
    private void sendRepaired(byte[] event, Event parsed) {
        String sender = parsed.getFromPlayer();
        Recipients recipients = recipients();
        recipients.send(WireFrame.binary(event, false, ServerFrame.BodyCase.EVENT, recipients.size()), sender, parsed.getOffset());
        keep(highestEpoch, event, sender.isEmpty() ? null : sender);
    }

    private static Event parseEvent(byte[] frame) {
        try {
            ServerFrame parsed = ServerFrame.parseFrom(frame);
            return parsed.hasEvent() ? parsed.getEvent() : null;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /** The room is gone: every member and expected session gets {@code leftFrame} and leaves it. */
    synchronized void endLocally(byte[] leftFrame) {
        endForEveryone(leftFrame);
    }

    private void endForEveryone(byte[] leftFrame) {
        List<Session> everyone = new ArrayList<>();
        members.forEach(member -> everyone.add(member.session()));
        everyone.addAll(expected.keySet());
        members.clear();
        recipients = null;
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
     * frames kept since it was expected that are newer than the Joined (of its owner's epoch or a
     * later one, and a state of a later tick than its keyframe, an event after its log position),
     * and makes it a member. False if the
     * session was not expected any more (the room was lost meanwhile): nothing is sent.
     */
    synchronized boolean admit(Session session, byte[] joined, List<byte[]> replayed) {
        List<Kept> kept = expected.remove(session);
        if (kept == null) {
            return false;
        }
        session.send(joined);
        replayed.forEach(session::send);
        long keyframeTick;
        long keyframeEpoch;
        long lastEventOffset;
        try {
            var parsed = ServerFrame.parseFrom(joined).getJoined();
            keyframeTick = parsed.getKeyframe().getTick();
            if (parsed.getTickRateHz() > 0) {
                long period = 1_000_000_000L / parsed.getTickRateHz();
                long offset = Integer.toUnsignedLong(parsed.getTickOffsetUs()) * 1_000L;
                // An offset past the period comes from no owner of ours: time the inputs to the plain grid.
                tickGrid = new TickGrid(period, offset < period ? offset : 0);
            }
            keyframeEpoch = parsed.getKeyframe().getEpoch();
            lastEventOffset = parsed.getLastEventOffset();
            // The owner that answered is at least this epoch: a deposed owner's late frame, heard
            // here only now (a fan-out made for this resume), must not follow the Joined.
            highestEpoch = Math.max(highestEpoch, parsed.getKeyframe().getEpoch());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a Joined frame", e);
        }
        for (Kept frame : kept) {
            // A frame of an owner older than the one that answered is not the room any more: the
            // new owner may have gone on from a snapshot, at ticks below the ones it sent.
            if (frame.epoch() >= keyframeEpoch && isNewerThan(frame.frame(), keyframeTick, lastEventOffset)) {
                session.send(frame.frame());
            }
        }
        members.removeIf(member -> member.session() == session); // a second admission starts it anew
        members.add(new Member(session, lastEventOffset));
        recipients = null;
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
        if (members.removeIf(member -> member.session() == session)) {
            recipients = null;
        }
        expected.remove(session);
        return isUnused();
    }

    /** This node's sessions that are members of the room now (not those whose join is on its way). Any thread. */
    int memberCount() {
        return members.size();
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

    /** Where the room's ticks fall, as its last Joined here said; null before one. */
    TickGrid tickGrid() {
        return tickGrid;
    }

    /** The highest tick of the room's frames heard here. */
    long lastTick() {
        return lastTick;
    }
}
