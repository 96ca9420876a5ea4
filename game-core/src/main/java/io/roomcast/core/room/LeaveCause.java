package io.roomcast.core.room;

/** Why a player's seat was freed. */
public enum LeaveCause {
    /** The player asked to leave. */
    REQUESTED,
    /** The connection dropped and the player did not come back within the seat grace period. */
    SEAT_EXPIRED,
    /** The room's rules removed the player. */
    KICKED,
    /** The room is closing. */
    ROOM_CLOSED
}
