package io.roomcast.gateway.session;

import io.roomcast.proto.v1.Ack;
import io.roomcast.proto.v1.Error;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.Left;
import io.roomcast.proto.v1.Pong;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The send path tells a frame's type from its first bytes, as the decoder would. */
class ServerFramesTest {

    @Test
    void theBodyOfEveryKindOfServerFrameIsReadFromItsFirstTag() {
        List<ServerFrame> frames = List.of(
                ServerFrame.newBuilder().setWelcome(Welcome.newBuilder().setSessionId("s")).build(),
                ServerFrame.newBuilder().setJoined(Joined.newBuilder().setRoomId("r")).build(),
                ServerFrame.newBuilder().setLeft(Left.newBuilder().setRoomId("r")).build(),
                ServerFrame.newBuilder().setState(State.newBuilder().setTick(7)).build(),
                ServerFrame.newBuilder().setEvent(Event.newBuilder().setName("e")).build(),
                ServerFrame.newBuilder().setAck(Ack.newBuilder().setAckId(3)).build(),
                ServerFrame.newBuilder().setPong(Pong.newBuilder().setClientTimeMs(1)).build(), // field 16: a 2-byte tag
                ServerFrame.newBuilder().setError(Error.newBuilder().setMessage("no")).build(),
                ServerFrame.newBuilder().setState(State.getDefaultInstance()).build()); // an empty body is still a body
        for (ServerFrame frame : frames) {
            assertEquals(frame.getBodyCase(), ServerFrames.bodyOf(frame.toByteArray()), frame.toString());
        }
        assertEquals(ServerFrame.BodyCase.BODY_NOT_SET, ServerFrames.bodyOf(new byte[0]));
        assertEquals(ServerFrame.BodyCase.BODY_NOT_SET, ServerFrames.bodyOf(new byte[] {(byte) 0x82})); // cut short
        assertEquals(ServerFrame.BodyCase.BODY_NOT_SET, ServerFrames.bodyOf(new byte[] {0x08, 0x01})); // field 1, a varint
        assertEquals(ServerFrame.BodyCase.BODY_NOT_SET, ServerFrames.bodyOf(new byte[] {(byte) 0x9A, 0x01, 0x00})); // field 19: none
    }
}
