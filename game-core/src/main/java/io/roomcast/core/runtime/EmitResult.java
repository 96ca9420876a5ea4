package io.roomcast.core.runtime;

import io.roomcast.proto.v1.ErrorCode;

/**
 * The outcome of {@link RoomRuntime#emit}: what the sender's ack says. {@code eventOffset}: the
 * room event's place in the room's event log (0 for a direct message or a consumed event).
 */
public record EmitResult(boolean ok, ErrorCode error, String message, long eventOffset) {

    /** Delivered, with no place in the log (a direct message, or an event the room consumed). */
    public static final EmitResult OK = ok(0);

    public static EmitResult ok(long eventOffset) {
        return new EmitResult(true, ErrorCode.ERROR_CODE_UNSPECIFIED, "", eventOffset);
    }

    public static EmitResult failed(ErrorCode error, String message) {
        return new EmitResult(false, error, message, 0);
    }
}
