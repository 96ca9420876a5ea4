package io.roomcast.core.runtime;

import io.roomcast.core.room.Player;
import io.roomcast.proto.v1.ErrorCode;

/** The outcome of {@link RoomRuntime#join}. */
public sealed interface JoinResult {

    /** Seated; {@code joinedFrame} is the encoded {@code ServerFrame{joined}} with a keyframe. */
    record Seated(Player player, byte[] joinedFrame) implements JoinResult {}

    /** Refused: ROOM_FULL, JOIN_REJECTED (with the room's reason) or ALREADY_IN_ROOM. */
    record Refused(ErrorCode code, String message) implements JoinResult {}
}
