package io.roomcast.gateway.session;

import com.google.protobuf.ByteString;
import com.google.protobuf.WireFormat;
import io.roomcast.proto.v1.Ack;
import io.roomcast.proto.v1.Error;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.Left;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.proto.v1.ServerFrame;

/** Builders of the small server frames the gateway itself sends. Stateless. */
public final class ServerFrames {

    /**
     * The first byte of every encoded {@code ServerFrame{state}}: the tag of its only field.
     * Lets the send path tell a (droppable, latest-wins) state from a reliable frame without
     * decoding it.
     */
    private static final byte STATE_TAG =
            (byte) (ServerFrame.STATE_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED);

    private ServerFrames() {}

    private static final byte EVENT_TAG =
            (byte) (ServerFrame.EVENT_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED);

    /** Whether the encoded frame is a {@code ServerFrame{event}} (by its first byte, no decoding). */
    public static boolean isEvent(byte[] serverFrame) {
        return serverFrame.length > 0 && serverFrame[0] == EVENT_TAG;
    }

    public static boolean isState(byte[] serverFrame) {
        return serverFrame.length > 0 && serverFrame[0] == STATE_TAG;
    }

    /**
     * The body of an encoded {@code ServerFrame}, from its first field's tag (one or two bytes;
     * the frames the node encodes hold only their body), without decoding it: the send path
     * counts frames by type with it. {@code BODY_NOT_SET} for anything else.
     */
    public static ServerFrame.BodyCase bodyOf(byte[] serverFrame) {
        if (serverFrame.length == 0) {
            return ServerFrame.BodyCase.BODY_NOT_SET;
        }
        int tag = serverFrame[0] & 0xFF;
        if (tag >= 0x80) { // a varint of two bytes: field numbers 16 and up
            if (serverFrame.length < 2 || (serverFrame[1] & 0x80) != 0) {
                return ServerFrame.BodyCase.BODY_NOT_SET;
            }
            tag = (tag & 0x7F) | (serverFrame[1] << 7);
        }
        if ((tag & 0x7) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            return ServerFrame.BodyCase.BODY_NOT_SET;
        }
        ServerFrame.BodyCase body = ServerFrame.BodyCase.forNumber(tag >>> 3);
        return body == null ? ServerFrame.BodyCase.BODY_NOT_SET : body;
    }

    public static byte[] error(ErrorCode code, String message, int requestId) {
        return ServerFrame.newBuilder()
                .setError(Error.newBuilder().setCode(code).setMessage(message).setRequestId(requestId))
                .build().toByteArray();
    }

    public static byte[] ack(int ackId, boolean ok, ErrorCode error, String message) {
        return ServerFrame.newBuilder()
                .setAck(Ack.newBuilder().setAckId(ackId).setOk(ok).setError(error).setMessage(message))
                .build().toByteArray();
    }

    /** A successful ack of a room event: its place in the room's event log. */
    public static byte[] ack(int ackId, long eventOffset) {
        return ServerFrame.newBuilder()
                .setAck(Ack.newBuilder().setAckId(ackId).setOk(true).setEventOffset(eventOffset))
                .build().toByteArray();
    }

    public static byte[] left(String roomId, LeaveReason reason, String detail) {
        return ServerFrame.newBuilder()
                .setLeft(Left.newBuilder().setRoomId(roomId).setReason(reason).setDetail(detail))
                .build().toByteArray();
    }

    public static byte[] directEvent(String fromPlayer, String name, ByteString payload) {
        return ServerFrame.newBuilder()
                .setEvent(Event.newBuilder().setFromPlayer(fromPlayer).setName(name).setPayload(payload).setDirect(true))
                .build().toByteArray();
    }
}
