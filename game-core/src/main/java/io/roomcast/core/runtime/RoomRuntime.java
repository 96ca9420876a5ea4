package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;
import io.roomcast.core.loop.Clock;
import io.roomcast.core.loop.TickScheduler;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;

import java.util.List;

/**
 * The framework's host for one room: seats, the input queue, the fixed-step tick, state
 * encoding (once per tick), the event log, and the calls into the game's {@code Room}.
 *
 * <p>Threading: single-writer. Every method must be called on the room's thread (the thread
 * the {@link TickScheduler} runs tasks on), except {@link #offerInput}, which any thread may
 * call: inputs wait in a bounded queue and are applied at the start of the next tick.
 */
public final class RoomRuntime<I> {

    public RoomRuntime(String roomId, RoomType<I> type, RoomSettings settings, Clock clock,
                       TickScheduler scheduler, RoomOutput output, long seed) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Calls {@code onCreate} and starts the tick loop. */
    public void start() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Admission and seating. On success the player holds the lowest free seat, {@code onJoin} has
     * run, and the result carries the encoded {@code Joined} frame (with a keyframe of the
     * current state) for that player alone.
     */
    public JoinResult join(String playerId, String playerName) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * The encoded {@code Joined} frame for a player who already holds a seat (used when a
     * player resumes a session): current keyframe, seat, last event offset. Null if not seated.
     */
    public byte[] rejoinFrame(String playerId) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Frees the player's seat and calls {@code onLeave}; false if the player held no seat. */
    public boolean leave(String playerId, LeaveCause cause) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Queues an input for the next tick. Thread-safe. Returns false (and drops the input) when
     * the queue holds {@code maxQueuedInputs} already.
     */
    public boolean offerInput(String playerId, int seq, ByteString payload) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * A player's event, to the room ({@code toPlayerId} null or empty) or to one player of
     * the room. Asks the room's {@code onEvent}, then relays it as an {@code Event} frame.
     */
    public EmitResult emit(String fromPlayerId, String name, ByteString payload, String toPlayerId) {
        throw new UnsupportedOperationException("TODO");
    }

    /** The player missed a tick: a keyframe for this player goes out with the next tick. */
    public void requestKeyframe(String playerId) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Encoded {@code Event} frames of the room's log after {@code offset}, oldest first. */
    public List<byte[]> eventsAfter(long offset) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Every player leaves with ROOM_CLOSED, {@code onDispose} runs, the tick loop stops. */
    public void close() {
        throw new UnsupportedOperationException("TODO");
    }

    public String roomId() {
        throw new UnsupportedOperationException("TODO");
    }

    public RoomType<I> type() {
        throw new UnsupportedOperationException("TODO");
    }

    public int playerCount() {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean isSeated(String playerId) {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean isClosed() {
        throw new UnsupportedOperationException("TODO");
    }

    /** The last tick run (0 before the first). */
    public long tick() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Ticks skipped because the room fell more than {@code maxCatchUpTicks} behind. */
    public long skippedTicks() {
        throw new UnsupportedOperationException("TODO");
    }
}
