package io.roomcast.bots;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Input;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Leave;
import io.roomcast.proto.v1.Ping;
import io.roomcast.proto.v1.RoomCursor;

import java.util.Map;

/** The client frames the bots send, encoded (each call returns fresh bytes the caller owns). */
public final class Frames {

    public static final int PROTOCOL_VERSION = 1;

    private Frames() {}

    public static byte[] hello(String name) {
        return frame(0, ClientFrame.newBuilder().setHello(Hello.newBuilder()
                .setProtocolVersion(PROTOCOL_VERSION).setPlayerName(name)));
    }

    /** A resume: the token of the last Welcome and the last event offset seen per room. */
    public static byte[] resume(String name, String resumeToken, Map<String, Long> cursors) {
        Hello.Builder hello = Hello.newBuilder().setProtocolVersion(PROTOCOL_VERSION).setPlayerName(name)
                .setResumeToken(resumeToken);
        cursors.forEach((room, offset) -> hello.addCursors(RoomCursor.newBuilder().setRoomId(room).setLastEventOffset(offset)));
        return frame(0, ClientFrame.newBuilder().setHello(hello));
    }

    public static byte[] quickJoin(int requestId, String gameType) {
        return frame(requestId, ClientFrame.newBuilder().setJoin(Join.newBuilder().setGameType(gameType)));
    }

    public static byte[] join(int requestId, String roomId) {
        return frame(requestId, ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(roomId)));
    }

    public static byte[] leave(String roomId) {
        return frame(0, ClientFrame.newBuilder().setLeave(Leave.newBuilder().setRoomId(roomId)));
    }

    public static byte[] input(String roomId, int seq, MessageLite payload) {
        return frame(0, ClientFrame.newBuilder().setInput(Input.newBuilder()
                .setRoomId(roomId).setSeq(seq).setPayload(payload.toByteString())));
    }

    /** An event to the whole room, no acknowledgement asked. */
    public static byte[] emitToRoom(String roomId, String name, ByteString payload) {
        return emitToRoom(roomId, name, payload, 0);
    }

    /** With {@code ackId != 0} the node answers with an Ack (carrying the event's offset). */
    public static byte[] emitToRoom(String roomId, String name, ByteString payload, int ackId) {
        return frame(0, ClientFrame.newBuilder().setEmit(Emit.newBuilder()
                .setRoomId(roomId).setName(name).setPayload(payload).setAckId(ackId)));
    }

    public static byte[] ping(long clientTimeMs) {
        return frame(0, ClientFrame.newBuilder().setPing(Ping.newBuilder().setClientTimeMs(clientTimeMs)));
    }

    private static byte[] frame(int requestId, ClientFrame.Builder frame) {
        return frame.setRequestId(requestId).build().toByteArray();
    }
}
