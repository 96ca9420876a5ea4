package io.roomcast.gateway.ws.wire;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 6455 framing as a browser sends it: masked, possibly fragmented, split anywhere by TCP. */
public class FrameDecoderTest {

    private static final int FIN = 0x80;
    private static final int MAX = 70_000;

    /** Records what the decoder reported, as readable lines. */
    private static final class Recorder implements FrameDecoder.Handler {
        final List<String> events = new ArrayList<>();
        final List<byte[]> messages = new ArrayList<>();

        @Override
        public void onBinary(ByteBuffer message) {
            byte[] bytes = new byte[message.remaining()];
            message.get(bytes);
            messages.add(bytes);
            events.add("binary " + bytes.length);
        }

        @Override
        public void onText() {
            events.add("text");
        }

        @Override
        public void onPing(ByteBuffer payload) {
            events.add("ping " + StandardCharsets.UTF_8.decode(payload));
        }

        @Override
        public void onClose(int code, String reason) {
            events.add("close " + code + " " + reason);
        }

        @Override
        public void onViolation(int closeCode, String reason) {
            events.add("violation " + closeCode);
        }
    }

    /** A client frame: masked with a random key unless {@code masked} is false. */
    public static byte[] clientFrame(int firstByte, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        } else {
            out.write(maskBit | 127);
            out.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        byte[] mask = new byte[4];
        new Random(payload.length).nextBytes(mask);
        if (masked) {
            out.writeBytes(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ mask[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    static byte[] binary(byte[] payload) {
        return clientFrame(FIN | 0x2, payload, true);
    }

    static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static Recorder decodeAll(byte[] wire) {
        Recorder recorder = new Recorder();
        ByteBuffer in = ByteBuffer.wrap(wire.clone());
        new FrameDecoder(MAX).decode(in, recorder);
        return recorder;
    }

    @Test
    void payloadsOfEveryLengthEncodingArriveIntact() {
        for (int length : new int[] {0, 1, 125, 126, 65_535, 65_536}) {
            byte[] payload = randomBytes(length);
            Recorder recorder = decodeAll(binary(payload));
            assertEquals(List.of("binary " + length), recorder.events, "length " + length);
            assertArrayEquals(payload, recorder.messages.getFirst(), "length " + length);
        }
    }

    @Test
    void framesSplitAtAnyByteAreDecodedOnceWhole() {
        byte[] first = randomBytes(300);
        byte[] second = randomBytes(7);
        byte[] wire = concat(binary(first), binary(second));
        for (int cut = 0; cut <= wire.length; cut++) {
            Recorder recorder = new Recorder();
            FrameDecoder decoder = new FrameDecoder(MAX);
            ByteBuffer in = ByteBuffer.allocate(wire.length);
            in.put(wire, 0, cut).flip();
            assertTrue(decoder.decode(in, recorder));
            // what the socket does: keep the incomplete tail, append the next read
            ByteBuffer rest = ByteBuffer.allocate(wire.length);
            rest.put(in).put(wire, cut, wire.length - cut).flip();
            assertTrue(decoder.decode(rest, recorder));
            assertEquals(List.of("binary 300", "binary 7"), recorder.events, "cut at " + cut);
            assertArrayEquals(first, recorder.messages.get(0));
            assertArrayEquals(second, recorder.messages.get(1));
            assertFalse(rest.hasRemaining());
        }
    }

    @Test
    void fragmentsAreJoinedAndAControlFrameMayComeBetweenThem() {
        byte[] payload = randomBytes(1000);
        byte[] wire = concat(
                clientFrame(0x2, java.util.Arrays.copyOfRange(payload, 0, 400), true),
                clientFrame(FIN | 0x9, "hi".getBytes(StandardCharsets.UTF_8), true),
                clientFrame(0x0, java.util.Arrays.copyOfRange(payload, 400, 900), true),
                clientFrame(FIN | 0x0, java.util.Arrays.copyOfRange(payload, 900, 1000), true));
        Recorder recorder = decodeAll(wire);
        assertEquals(List.of("ping hi", "binary 1000"), recorder.events);
        assertArrayEquals(payload, recorder.messages.getFirst());
    }

    @Test
    void textMessagesAreReportedWithoutTheirPayload() {
        assertEquals(List.of("text"), decodeAll(clientFrame(FIN | 0x1, "{}".getBytes(StandardCharsets.UTF_8), true)).events);
    }

    @Test
    void closeFrameCarriesCodeAndReasonAndEndsDecoding() {
        byte[] close = concat(new byte[] {0x03, (byte) 0xE8}, "bye".getBytes(StandardCharsets.UTF_8));
        Recorder recorder = decodeAll(concat(clientFrame(FIN | 0x8, close, true), binary(randomBytes(5))));
        assertEquals(List.of("close 1000 bye"), recorder.events);
        assertEquals(List.of("close 1005 "), decodeAll(clientFrame(FIN | 0x8, new byte[0], true)).events);
    }

    @Test
    void protocolViolationsCloseWith1002() {
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x2, randomBytes(3), false)).events, "unmasked");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x40 | 0x2, randomBytes(3), true)).events, "RSV1");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x3, randomBytes(3), true)).events, "opcode 3");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x0, randomBytes(3), true)).events, "lone continuation");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(0x9, randomBytes(3), true)).events, "fragmented ping");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x9, randomBytes(126), true)).events, "long ping");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x8, new byte[] {3}, true)).events, "1-byte close");
        assertEquals(List.of("violation 1002"), decodeAll(concat(clientFrame(0x2, randomBytes(3), true),
                binary(randomBytes(3)))).events, "new message inside a fragmented one");
    }

    @Test
    void messagesOverTheLimitCloseWith1009BeforeThePayloadArrives() {
        byte[] wire = binary(randomBytes(MAX + 1));
        Recorder recorder = new Recorder();
        ByteBuffer headerOnly = ByteBuffer.wrap(wire, 0, 14).slice();
        assertFalse(new FrameDecoder(MAX).decode(headerOnly, recorder));
        assertEquals(List.of("violation 1009"), recorder.events);

        byte[] fragmented = concat(clientFrame(0x2, randomBytes(MAX - 10), true), clientFrame(FIN | 0x0, randomBytes(11), true));
        assertEquals(List.of("violation 1009"), decodeAll(fragmented).events, "the whole message counts");
    }

    @Test
    void nothingIsDecodedAfterAViolation() {
        Recorder recorder = decodeAll(concat(clientFrame(FIN | 0x2, randomBytes(3), false), binary(randomBytes(4))));
        assertEquals(List.of("violation 1002"), recorder.events);
    }
}
