package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.loop.Clock;
import io.roomcast.core.loop.TickGrid;
import io.roomcast.core.loop.TickLoop;
import io.roomcast.core.loop.TickScheduler;
import io.roomcast.core.room.Admission;
import io.roomcast.core.room.EventDecision;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.runtime.InputQueue.QueuedInput;
import io.roomcast.core.state.StateEncoder;
import io.roomcast.proto.cluster.RoomSnapshot;
import io.roomcast.proto.cluster.SeatSnapshot;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.SeatInput;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The framework's host for one room: seats, the input queue, the fixed-step tick, state
 * encoding (once per tick), the event log, and the calls into the game's {@code Room}.
 *
 * <p>Threading: single-writer. Every method must be called on the room's thread (the thread
 * the {@link TickScheduler} runs tasks on), except {@link #offerInput}, which any thread may
 * call: inputs wait in a bounded queue and are applied at the start of the next tick. The entry
 * points assert it ({@link TickScheduler#isOnRoomThread}, with {@code -ea}).
 */
public final class RoomRuntime<I> {

    private static final String CLOSED_DETAIL = "room closed";

    private final String roomId;
    private final RoomType<I> type;
    private final RoomSettings settings;
    private final Clock clock;
    private final RoomOutput output;
    private final Room<I> room;
    private final Seats seats;
    private final InputQueue inputs;
    private final RoomEvents events;
    private final StateEncoder encoder;
    private final TickLoop loop;
    private final TickScheduler scheduler;
    private final RuntimeContext ctx;
    private final LinkedHashSet<String> keyframeRequesters = new LinkedHashSet<>();

    private boolean started;
    // Read by offerInput on other threads.
    private volatile boolean closed;
    private long discardedInputs;
    private long malformedInputs;

    /**
     * @param settings the limits this room runs with (usually {@code type.settings()}, possibly
     *                 overridden by the operator)
     * @param seed     seeds the room's {@code ctx.random()}: the same seed and the same inputs give
     *                 the same states
     */
    public RoomRuntime(String roomId, RoomType<I> type, RoomSettings settings, Clock clock,
                       TickScheduler scheduler, RoomOutput output, long seed) {
        this(roomId, type, settings, clock, scheduler, output, seed, Map.of(), 1);
    }

    /**
     * A room created with options (what {@code ctx.options()} gives the room; a restored room
     * reads those of its snapshot instead).
     *
     * @param options    the room's creation options, copied; may be empty, not null
     * @param tickPhases how many phases this node spreads the rooms of a tick rate over
     *                   ({@link TickGrid#phased}; 1: every room on the period's multiples)
     */
    public RoomRuntime(String roomId, RoomType<I> type, RoomSettings settings, Clock clock,
                       TickScheduler scheduler, RoomOutput output, long seed, Map<String, String> options,
                       int tickPhases) {
        this.roomId = roomId;
        this.type = type;
        this.settings = settings;
        this.clock = clock;
        this.output = output;
        this.room = type.factory().get();
        this.seats = new Seats(settings.maxPlayers());
        this.inputs = new InputQueue(settings.maxQueuedInputs());
        this.events = new RoomEvents(roomId, settings.eventLogCapacity(), output);
        this.encoder = new StateEncoder(roomId, settings.keyframeEveryTicks());
        this.scheduler = scheduler;
        this.loop = new TickLoop(clock, scheduler,
                TickGrid.phased(roomId, TimeUnit.SECONDS.toNanos(1) / settings.tickRateHz(), tickPhases),
                settings.maxCatchUpTicks(), this::runTick);
        this.ctx = new RuntimeContext(roomId, sorted(options), settings.tickRateHz(), clock, loop::ticks, seats,
                events, new SplittableRandom(seed));
    }

    /** Calls {@code onCreate} and starts the tick loop. */
    public void start() {
        assert onRoomThread();
        markStarted();
        room.onCreate(ctx);
        startTicking();
    }

    /**
     * Instead of {@link #start}: takes over the room of a snapshot that another node saved. The
     * snapshot's players get their seats back with their last input seqs (no admission, no
     * {@code onJoin}), the room's options are the snapshot's, the event log goes on from the snapshot's offset holding its recent
     * events, {@code onRestore} rebuilds the state, and the tick loop starts: the next tick is
     * {@code snapshot.tick + 1} and its state a keyframe.
     *
     * @throws IllegalArgumentException if the snapshot is of another room or game type (the
     *                                  runtime is left as it was), or does not fit this room
     *                                  (its seats, its entities: the runtime is then unusable)
     */
    public void restore(RoomSnapshot snapshot) {
        assert onRoomThread();
        if (!snapshot.getRoomId().equals(roomId) || !snapshot.getGameType().equals(type.name())) {
            throw new IllegalArgumentException("a snapshot of " + snapshot.getGameType() + " room "
                    + snapshot.getRoomId() + " cannot restore " + type.name() + " room " + roomId);
        }
        markStarted();
        ctx.options(sorted(snapshot.getOptionsMap()));
        for (SeatSnapshot seat : snapshot.getSeatsList()) {
            seats.reseat(new Player(seat.getPlayerId(), seat.getName(), seat.getSeat()), seat.getLastInputSeq());
        }
        List<byte[]> recentEvents = snapshot.getRecentEventsList().stream().map(ByteString::toByteArray).toList();
        // The recent events may include ones logged after the snapshot (a takeover adds them): the
        // log goes on from the newest it holds, or from further on if the snapshot says so.
        events.restore(Math.max(snapshot.getLastEventOffset(), EventLog.newestOffset(recentEvents)), recentEvents);
        loop.continueAfter(snapshot.getTick());
        // Viewers hold states of the old owner, maybe of later ticks: a delta means nothing to them.
        encoder.requestKeyframe();
        room.onRestore(ctx, entities(snapshot));
        startTicking();
    }

    /**
     * The room as it is now, between ticks, for another node to {@link #restore}: the state as
     * of the last tick and the calls since, the seats, the options, and the event log. The next tick's delta
     * is not disturbed.
     */
    public RoomSnapshot snapshot() {
        assert onRoomThread();
        if (!started || closed) {
            throw new IllegalStateException("room " + roomId + " is not running");
        }
        long tick = loop.ticks();
        RoomSnapshot.Builder snapshot = RoomSnapshot.newBuilder()
                .setRoomId(roomId)
                .setGameType(type.name())
                .setTick(tick)
                .putAllOptions(ctx.options())
                .addAllEntities(encoder.snapshot(tick, room::writeState).getEntitiesList())
                .setLastEventOffset(events.lastOffset());
        for (Player player : seats.inSeatOrder()) {
            snapshot.addSeats(SeatSnapshot.newBuilder()
                    .setPlayerId(player.id())
                    .setName(player.name())
                    .setSeat(player.seat())
                    .setLastInputSeq(seats.lastInputSeq(player)));
        }
        for (byte[] event : events.after(0)) {
            snapshot.addRecentEvents(ByteString.copyFrom(event));
        }
        return snapshot.build();
    }

    /**
     * Admission and seating. On success the player holds the lowest free seat, {@code onJoin} has
     * run, and the result carries the encoded {@code Joined} frame (with a keyframe of the
     * current state) for that player alone. A closed room refuses with ROOM_NOT_FOUND.
     */
    public JoinResult join(String playerId, String playerName) {
        assert onRoomThread();
        if (closed) {
            return new JoinResult.Refused(ErrorCode.ROOM_NOT_FOUND, CLOSED_DETAIL);
        }
        if (seats.get(playerId) != null) {
            return new JoinResult.Refused(ErrorCode.ALREADY_IN_ROOM, "already in room " + roomId);
        }
        Player candidate = seats.candidate(playerId, playerName);
        if (candidate == null) {
            return new JoinResult.Refused(ErrorCode.ROOM_FULL, "room " + roomId + " is full");
        }
        Admission admission = room.onJoinAttempt(ctx, candidate);
        settle();
        if (closed) {
            return new JoinResult.Refused(ErrorCode.ROOM_NOT_FOUND, CLOSED_DETAIL);
        }
        if (admission instanceof Admission.Reject(String reason)) {
            return new JoinResult.Refused(ErrorCode.JOIN_REJECTED, reason);
        }
        seats.seat(candidate);
        room.onJoin(ctx, candidate);
        settle();
        return new JoinResult.Seated(candidate, joinedFrame(candidate, 0));
    }

    /**
     * The encoded {@code Joined} frame for a player who already holds a seat (used when a
     * player resumes a session): current keyframe, seat, last event offset. Null if not seated.
     */
    public byte[] rejoinFrame(String playerId) {
        Rejoin rejoin = rejoin(playerId, NO_CURSOR);
        return rejoin == null ? null : rejoin.joinedFrame();
    }

    /** A resume that sent no event cursor: nothing is replayed. */
    public static final long NO_CURSOR = -1;

    /**
     * A player who already holds a seat resumes: its {@code Joined} and the room's events after
     * {@code cursor} (the last offset the client saw, or {@link #NO_CURSOR}), oldest first. The
     * Joined's {@code events_missed} counts the events after the cursor the log no longer has.
     * Null if the player holds no seat.
     */
    public Rejoin rejoin(String playerId, long cursor) {
        assert onRoomThread();
        Player player = seats.get(playerId);
        if (player == null) {
            return null;
        }
        if (cursor < 0) {
            return new Rejoin(joinedFrame(player, 0), List.of());
        }
        // The player saw offsets this log does not have (a former owner gave them out and died
        // before storing them): never give them out again (bounded; see EventLog#passOver).
        events.passOver(cursor);
        List<byte[]> replayed = events.after(cursor);
        long missed = Math.max(0, events.lastOffset() - cursor - replayed.size());
        return new Rejoin(joinedFrame(player, missed), replayed);
    }

    /** What {@link #rejoin} gives a resuming player: its Joined frame, then the events to replay. */
    public record Rejoin(byte[] joinedFrame, List<byte[]> events) {
    }

    /** Frees the player's seat and calls {@code onLeave}; false if the player held no seat. */
    public boolean leave(String playerId, LeaveCause cause) {
        assert onRoomThread();
        Player player = seats.release(playerId);
        if (player == null) {
            return false;
        }
        room.onLeave(ctx, player, cause);
        settle();
        return true;
    }

    /**
     * Queues an input for the next tick. Thread-safe. Returns false (and drops the input) when
     * the queue holds {@code maxQueuedInputs} already, or the room is closed.
     */
    public boolean offerInput(String playerId, int seq, ByteString payload) {
        return !closed && inputs.offer(new QueuedInput(playerId, seq, payload));
    }

    /**
     * A player's event, to the room ({@code toPlayerId} null or empty) or to one player of
     * the room. Asks the room's {@code onEvent}, then relays it as an {@code Event} frame.
     */
    public EmitResult emit(String fromPlayerId, String name, ByteString payload, String toPlayerId) {
        assert onRoomThread();
        Player from = seats.get(fromPlayerId);
        if (from == null) {
            return EmitResult.failed(ErrorCode.NOT_IN_ROOM, "not in room " + roomId);
        }
        Player to = null;
        if (toPlayerId != null && !toPlayerId.isEmpty()) {
            to = seats.get(toPlayerId);
            if (to == null) {
                return EmitResult.failed(ErrorCode.PLAYER_NOT_FOUND, "no player " + toPlayerId + " in room " + roomId);
            }
        }
        EmitResult result = switch (room.onEvent(ctx, from, to, name, payload)) {
            case EventDecision.Relay() -> {
                if (to == null) {
                    yield EmitResult.ok(events.toRoom(from.id(), name, payload));
                }
                events.toPlayer(from.id(), to.id(), name, payload);
                yield EmitResult.OK;
            }
            case EventDecision.Consume() -> EmitResult.OK;
            case EventDecision.Reject(String reason) -> EmitResult.failed(ErrorCode.EVENT_REJECTED, reason);
        };
        settle();
        return result;
    }

    /** The player missed a tick: a keyframe for this player goes out with the next tick. */
    public void requestKeyframe(String playerId) {
        assert onRoomThread();
        if (seats.get(playerId) != null) {
            keyframeRequesters.add(playerId);
        }
    }

    /**
     * The next tick's state frame to the whole room is a keyframe: for a gateway that missed a
     * tick on behalf of all its members at once.
     */
    public void requestRoomKeyframe() {
        assert onRoomThread();
        encoder.requestKeyframe();
    }

    /** Encoded {@code Event} frames of the room's log after {@code offset}, oldest first. */
    public List<byte[]> eventsAfter(long offset) {
        assert onRoomThread();
        return events.after(offset);
    }

    /** Every player leaves with ROOM_CLOSED, {@code onDispose} runs, the tick loop stops. */
    public void close() {
        assert onRoomThread();
        if (closed) {
            return;
        }
        closed = true;
        loop.stop();
        for (Player player : seats.inSeatOrder()) {
            seats.release(player.id());
            room.onLeave(ctx, player, LeaveCause.ROOM_CLOSED);
            output.playerRemoved(player.id(), LeaveCause.ROOM_CLOSED, CLOSED_DETAIL);
        }
        room.onDispose(ctx);
        output.roomClosed();
    }

    public String roomId() {
        return roomId;
    }

    public RoomType<I> type() {
        return type;
    }

    /** The options the room was created with (those of its snapshot once restored), sorted by name. */
    public Map<String, String> options() {
        return ctx.options();
    }

    public int playerCount() {
        assert onRoomThread();
        return seats.count();
    }

    public boolean isSeated(String playerId) {
        return seats.get(playerId) != null;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The last tick run: 0 before the first, the snapshot's tick before a restored room's first. */
    public long tick() {
        return loop.ticks();
    }

    /** The offset of the room's newest logged event; 0 before the first. */
    public long lastEventOffset() {
        return events.lastOffset();
    }

    /** Ticks skipped because the room fell more than {@code maxCatchUpTicks} behind. */
    public long skippedTicks() {
        return loop.skippedTicks();
    }

    /** Inputs dropped at the tick because their player held no seat or their seq was not new. */
    public long discardedInputs() {
        return discardedInputs;
    }

    /** Inputs dropped at the tick because their payload did not parse as the game's input. */
    public long malformedInputs() {
        return malformedInputs;
    }

    private boolean onRoomThread() {
        if (!scheduler.isOnRoomThread()) {
            throw new AssertionError("room " + roomId + " called from " + Thread.currentThread().getName()
                    + ", not from its room's thread");
        }
        return true;
    }

    private void markStarted() {
        if (started || closed) {
            throw new IllegalStateException("room " + roomId + " already started or closed");
        }
        started = true;
    }

    /** After {@code onCreate} or {@code onRestore}: carries out what it asked for, then ticks. */
    private void startTicking() {
        settle();
        if (!closed) {
            loop.start();
        }
    }

    /** An unmodifiable copy in name order: the room iterates its options the same way on every node. */
    private static Map<String, String> sorted(Map<String, String> options) {
        return options.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(options));
    }

    private static Map<Integer, ByteString> entities(RoomSnapshot snapshot) {
        Map<Integer, ByteString> entities = new LinkedHashMap<>();
        for (Entity entity : snapshot.getEntitiesList()) {
            if (entities.putIfAbsent(entity.getId(), entity.getData()) != null) {
                throw new IllegalArgumentException("entity " + entity.getId() + " appears twice in the snapshot");
            }
        }
        return Collections.unmodifiableMap(entities);
    }

    private void runTick(long tick) {
        long startNanos = clock.nanoTime();
        output.tickLate(Math.max(0, startNanos - loop.dueNanos(tick)));
        tickBody(tick);
        if (!closed) {
            output.tickTook(clock.nanoTime() - startNanos);
        }
    }

    private void tickBody(long tick) {
        inputs.drain(this::apply);
        if (closed) {
            return;
        }
        room.onTick(ctx);
        settle();
        if (closed) {
            return;
        }
        room.writeState(encoder);
        State.Builder state = encoder.encode(tick);
        List<SeatInput> applied = applied();
        long now = clock.currentTimeMillis();
        long epoch = output.epoch();
        output.toRoom(encode(state.addAllApplied(applied).setServerTimeMs(now).setEpoch(epoch)), null);
        if (!keyframeRequesters.isEmpty()) {
            // A keyframe tick already reached them through the room.
            if (!state.getKeyframe()) {
                byte[] keyframe = encode(encoder.lastKeyframe().addAllApplied(applied).setServerTimeMs(now).setEpoch(epoch));
                for (String playerId : keyframeRequesters) {
                    if (seats.get(playerId) != null) {
                        output.toPlayer(playerId, keyframe);
                    }
                }
            }
            keyframeRequesters.clear();
        }
    }

    private void apply(QueuedInput input) {
        Player player = seats.get(input.playerId());
        // Sequence numbers are uint32 on the wire.
        if (player == null || Integer.compareUnsigned(input.seq(), seats.lastInputSeq(player)) <= 0) {
            discardedInputs++;
            return;
        }
        I decoded;
        try {
            decoded = type.inputParser().parseFrom(input.payload());
        } catch (InvalidProtocolBufferException e) {
            malformedInputs++;
            return;
        }
        seats.recordInputSeq(player, input.seq());
        room.onInput(ctx, player, decoded);
        settle();
    }

    /** Carries out what the room asked for during the call that just returned. */
    private void settle() {
        RuntimeContext.Kick kick;
        while ((kick = ctx.pollKick()) != null) {
            Player player = seats.release(kick.playerId());
            if (player != null) {
                room.onLeave(ctx, player, LeaveCause.KICKED);
                output.playerRemoved(player.id(), LeaveCause.KICKED, kick.reason());
            }
        }
        if (ctx.closeRequested()) {
            close();
        }
    }

    private byte[] joinedFrame(Player player, long eventsMissed) {
        State.Builder keyframe = encoder.snapshot(loop.ticks(), room::writeState)
                .addAllApplied(applied())
                .setServerTimeMs(clock.currentTimeMillis())
                .setEpoch(output.epoch());
        Joined joined = Joined.newBuilder()
                .setRoomId(roomId)
                .setGameType(type.name())
                .setSeat(player.seat())
                .setPlayerId(player.id())
                .setTickRateHz(settings.tickRateHz())
                .setTickOffsetUs(Math.toIntExact(loop.grid().offsetNanos() / 1_000))
                .setKeyframe(keyframe)
                .setLastEventOffset(events.lastOffset())
                .setEventsMissed(eventsMissed)
                .build();
        return ServerFrame.newBuilder().setJoined(joined).build().toByteArray();
    }

    /**
     * The last applied seq of every seat that has had an input applied. Seats at 0 (none yet:
     * spectators, a broadcast room's members) are left out, so a room of a thousand listeners
     * does not send a thousand entries with every state; clients read a missing seat as 0.
     */
    private List<SeatInput> applied() {
        List<Player> players = seats.inSeatOrder();
        List<SeatInput> applied = new ArrayList<>();
        for (Player player : players) {
            int seq = seats.lastInputSeq(player);
            if (seq != 0) {
                applied.add(SeatInput.newBuilder().setSeat(player.seat()).setSeq(seq).build());
            }
        }
        return applied;
    }

    private static byte[] encode(State.Builder state) {
        return ServerFrame.newBuilder().setState(state).build().toByteArray();
    }
}
