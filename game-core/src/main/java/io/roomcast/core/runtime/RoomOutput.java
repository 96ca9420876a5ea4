package io.roomcast.core.runtime;

import io.roomcast.core.room.LeaveCause;

/**
 * Where a {@link RoomRuntime} sends what it produces: encoded {@code ServerFrame} bytes, each
 * encoded once and handed over as is (the receiver must not modify the array). Implemented by
 * the gateway (local fan-out, or the cluster bus). Called on the room's thread.
 */
public interface RoomOutput {

    /** The same bytes to every player of the room, except {@code exceptPlayerId} (may be null). */
    void toRoom(byte[] serverFrame, String exceptPlayerId);

    /** Bytes for one player of the room. */
    void toPlayer(String playerId, byte[] serverFrame);

    /**
     * The runtime freed a seat on its own (kick, room closing): the gateway stops delivering to
     * that player for this room and tells the client with a {@code Left} frame.
     */
    void playerRemoved(String playerId, LeaveCause cause, String detail);

    /** The room closed; the runtime accepts no more calls. */
    void roomClosed();

    /**
     * The ownership epoch states are stamped with ({@code State.epoch}): it rises when another
     * node takes the room over, which tells a client why the tick went back. 0 where nothing
     * owns rooms in epochs (tests, benchmarks).
     */
    default long epoch() {
        return 0;
    }

    /**
     * A tick ran to its end in {@code nanos} (inputs applied, {@code onTick}, the state encoded and
     * handed over), measured on the room's clock. For a host's metrics: must not allocate or block.
     */
    default void tickTook(long nanos) {
    }

    /**
     * A tick started {@code nanos} after it was due on the room's fixed grid (measured on the room's
     * clock): the timer's wake-up, the wait for a room worker, and, in a catch-up run, the ticks
     * before it. Called at the start of every tick, before {@link #tickTook}. For a host's metrics:
     * must not allocate or block.
     */
    default void tickLate(long nanos) {
    }
}
