package io.roomcast.core.runtime;

import io.roomcast.proto.v1.ErrorCode;

/** The outcome of {@link RoomRuntime#emit}: what the sender's ack says. */
public record EmitResult(boolean ok, ErrorCode error, String message) {

    public static final EmitResult OK = new EmitResult(true, ErrorCode.ERROR_CODE_UNSPECIFIED, "");

    public static EmitResult failed(ErrorCode error, String message) {
        return new EmitResult(false, error, message);
    }
}
