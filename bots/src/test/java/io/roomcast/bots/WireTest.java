package io.roomcast.bots;

import com.google.protobuf.ByteString;
import io.roomcast.proto.games.arena.ArenaEntity;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.SeatInput;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireTest {

    private static ByteBuffer stateFrame() {
        State state = State.newBuilder()
                .setRoomId("abcdefgh").setTick(4242).setKeyframe(true)
                .addEntities(Entity.newBuilder().setId(0).setData(ArenaEntity.newBuilder().setX(1).setLastSeq(7).build().toByteString()))
                .addRemoved(3)
                .addApplied(SeatInput.newBuilder().setSeat(0).setSeq(7))   // seat 0: the field is left out on the wire
                .addApplied(SeatInput.newBuilder().setSeat(5).setSeq((int) 4_000_000_000L))
                .setServerTimeMs(1_700_000_000_123L)
                .setEpoch(1_796_448_819_340L)
                .build();
        return ByteBuffer.wrap(ServerFrame.newBuilder().setState(state).build().toByteArray());
    }

    @Test
    void readsTickServerTimeAndTheAppliedSeqOfItsSeatFromAState() {
        Wire wire = new Wire();
        wire.seat = 0;
        ByteBuffer frame = stateFrame();

        assertEquals(Wire.STATE, wire.read(frame));
        assertEquals(4242, wire.tick);
        assertEquals(1_700_000_000_123L, wire.serverTimeMs);
        assertEquals(1_796_448_819_340L, wire.epoch);
        assertTrue(wire.roomIs("abcdefgh".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertFalse(wire.roomIs("another".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(wire.keyframe);
        assertTrue(wire.appliedFound);
        assertEquals(7, wire.appliedSeq);
        assertEquals(0, frame.position(), "the buffer is read in place, not consumed");

        wire.seat = 5;
        wire.read(frame);
        assertEquals(4_000_000_000L, wire.appliedSeq, "seqs are unsigned 32-bit");

        wire.seat = 6;
        wire.read(frame);
        assertFalse(wire.appliedFound);
    }

    @Test
    void findsTheEventPayloadInPlace() {
        byte[] payload = new byte[32];
        W1.putLong(payload, 0, 123456789012345L);
        W1.putLong(payload, 16, 99);
        ServerFrame frame = ServerFrame.newBuilder().setEvent(Event.newBuilder()
                .setRoomId("r").setFromPlayer("p").setName("w1").setPayload(ByteString.copyFrom(payload)).setOffset(12)).build();
        byte[] bytes = frame.toByteArray();
        ByteBuffer buf = ByteBuffer.allocate(bytes.length + 10);
        buf.position(5);
        buf.put(bytes);
        buf.flip().position(5);
        Wire wire = new Wire();

        assertEquals(Wire.EVENT, wire.read(buf));
        assertEquals(32, wire.payloadLength);
        assertEquals(123456789012345L, wire.longAt(wire.payloadOffset));
        assertEquals(99, wire.longAt(wire.payloadOffset + 16));
        assertEquals(12, wire.eventOffset);
    }

    @Test
    void reportsOtherBodiesForTheGeneratedParserAndRefusesTruncatedBytes() {
        byte[] welcome = ServerFrame.newBuilder().setWelcome(Welcome.newBuilder().setSessionId("s")).build().toByteArray();
        Wire wire = new Wire();
        assertEquals(10, wire.read(ByteBuffer.wrap(welcome)));

        byte[] state = stateFrame().array();
        ByteBuffer truncated = ByteBuffer.wrap(state, 0, state.length - 3);
        assertThrows(IllegalArgumentException.class, () -> wire.read(truncated));
    }
}
