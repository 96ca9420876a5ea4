package io.roomcast.gateway.ws.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server frames on the wire: unmasked, final, with the shortest length encoding. */
class WireFrameTest {

    @ParameterizedTest(name = "for {0} sockets")
    @ValueSource(ints = {1, WireFrame.DIRECT_FROM_SOCKETS})
    void binaryFramesUseTheShortestLengthEncoding(int sockets) {
        int[][] lengthsAndHeaders = {{0, 2}, {125, 2}, {126, 4}, {65_535, 4}, {65_536, 10}};
        for (int[] lengthAndHeader : lengthsAndHeaders) {
            byte[] payload = FrameDecoderTest.randomBytes(lengthAndHeader[0]);
            byte[] wire = WireFrame.binary(payload, false, io.roomcast.proto.v1.ServerFrame.BodyCase.EVENT, sockets).toByteArray();
            int header = lengthAndHeader[1];
            assertEquals(header + payload.length, wire.length);
            assertEquals((byte) 0x82, wire[0], "FIN + binary");
            assertEquals(0, wire[1] & 0x80, "server frames are not masked");
            long declared = header == 2 ? wire[1] : header == 4 ? ByteBuffer.wrap(wire, 2, 2).getShort() & 0xFFFF
                    : ByteBuffer.wrap(wire, 2, 8).getLong();
            assertEquals(payload.length, declared);
            assertArrayEquals(payload, Arrays.copyOfRange(wire, header, wire.length));
        }
    }

    @Test
    void onlyAFrameForManySocketsIsMadeOutsideTheHeap() {
        var body = io.roomcast.proto.v1.ServerFrame.BodyCase.STATE;
        assertFalse(WireFrame.binaryForOne(new byte[300], true, body).isDirect());
        assertFalse(WireFrame.binary(new byte[300], true, body, WireFrame.DIRECT_FROM_SOCKETS - 1).isDirect());
        assertTrue(WireFrame.binary(new byte[300], true, body, WireFrame.DIRECT_FROM_SOCKETS).isDirect());
    }

    @Test
    void closeFrameCarriesTheCodeAndACutReason() {
        byte[] wire = WireFrame.close(4008, "x".repeat(300)).toByteArray();
        assertEquals((byte) 0x88, wire[0]);
        assertEquals(125, wire[1], "a control frame holds at most 125 bytes");
        assertEquals(4008, ByteBuffer.wrap(wire, 2, 2).getShort() & 0xFFFF);
        assertTrue(WireFrame.close(1000, "bye").isClose());
        assertEquals("bye", new String(WireFrame.close(1000, "bye").toByteArray(), 4, 3, StandardCharsets.UTF_8));
    }

    @Test
    void eachThreadsViewHasItsOwnPosition() {
        WireFrame frame = WireFrame.binary(FrameDecoderTest.randomBytes(10), true, io.roomcast.proto.v1.ServerFrame.BodyCase.STATE, 2);
        ByteBuffer first = frame.view(0, 5);
        ByteBuffer second = frame.view(1, 0);
        assertEquals(5, first.position());
        assertEquals(0, second.position());
        assertEquals(12, second.remaining());
        assertTrue(frame.droppable());
    }
}
