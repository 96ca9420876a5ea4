package io.roomcast.gateway.ws.wire;

import io.roomcast.gateway.testing.RawWebSocket;
import org.junit.jupiter.api.Test;

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
        return RawWebSocket.frame(firstByte, payload, masked);
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
        return RawWebSocket.concat(parts);
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

    private static byte[] closePayload(int code, byte[] reason) {
        return concat(new byte[] {(byte) (code >>> 8), (byte) code}, reason);
    }

    private static List<String> afterClose(int code, byte[] reason) {
        return decodeAll(clientFrame(FIN | 0x8, closePayload(code, reason), true)).events;
    }

    // RFC 6455 5.1: a client masks every frame it sends.
    @Test
    void everyUnmaskedClientFrameIsAProtocolError() {
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x2, randomBytes(3), false)).events, "binary");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x9, randomBytes(3), false)).events, "ping");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x8, closePayload(1000, new byte[0]), false)).events, "close");
        assertEquals(List.of("violation 1002"), decodeAll(concat(clientFrame(0x2, randomBytes(3), true),
                clientFrame(FIN | 0x0, randomBytes(3), false))).events, "continuation");
    }

    // RFC 6455 5.2: RSV1-3 are 0 unless an extension was agreed (none is).
    @Test
    void reservedBitsAreAProtocolError() {
        for (int rsv : new int[] {0x40, 0x20, 0x10}) {
            assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | rsv | 0x2, randomBytes(3), true)).events, "RSV " + rsv);
        }
    }

    // RFC 6455 5.2: opcodes 3-7 and 0xB-0xF are reserved.
    @Test
    void reservedOpcodesAreAProtocolError() {
        for (int opcode : new int[] {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | opcode, randomBytes(3), true)).events, "opcode " + opcode);
        }
    }

    // RFC 6455 5.2: the most significant bit of a 64-bit length is 0.
    @Test
    void aLengthWithItsTopBitSetIsAProtocolError() {
        byte[] wire = {(byte) (FIN | 0x2), (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
        assertEquals(List.of("violation 1002"), decodeAll(wire).events);
    }

    // RFC 6455 5.5: control frames carry at most 125 bytes.
    @Test
    void controlFramesOver125BytesAreAProtocolError() {
        assertEquals(List.of("ping " + "x".repeat(125)), decodeAll(clientFrame(FIN | 0x9, "x".repeat(125).getBytes(StandardCharsets.UTF_8), true)).events);
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x9, randomBytes(126), true)).events, "ping");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0xA, randomBytes(126), true)).events, "pong");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x8, closePayload(1000, "r".repeat(124).getBytes(StandardCharsets.UTF_8)), true)).events, "close");
    }

    // RFC 6455 5.5: control frames are never fragmented.
    @Test
    void fragmentedControlFramesAreAProtocolError() {
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(0x9, randomBytes(3), true)).events, "ping");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(0xA, randomBytes(3), true)).events, "pong");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(0x8, closePayload(1000, new byte[0]), true)).events, "close");
    }

    // RFC 6455 5.4: a continuation continues something; a new message waits for the last to end.
    @Test
    void fragmentationOutOfOrderIsAProtocolError() {
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x0, randomBytes(3), true)).events, "lone final continuation");
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(0x0, randomBytes(3), true)).events, "lone continuation");
        assertEquals(List.of("violation 1002"), decodeAll(concat(clientFrame(0x2, randomBytes(3), true),
                binary(randomBytes(3)))).events, "a binary message inside a fragmented one");
        assertEquals(List.of("violation 1002"), decodeAll(concat(clientFrame(0x2, randomBytes(3), true),
                clientFrame(FIN | 0x1, "x".getBytes(StandardCharsets.UTF_8), true))).events, "a text message inside a fragmented one");
        assertEquals(List.of("binary 3", "violation 1002"), decodeAll(concat(binary(randomBytes(3)),
                clientFrame(FIN | 0x0, randomBytes(3), true))).events, "a continuation after a whole message");
    }

    // RFC 6455 5.5.1: a close body is empty, or a 2-byte code and a reason.
    @Test
    void aOneByteCloseBodyIsAProtocolError() {
        assertEquals(List.of("violation 1002"), decodeAll(clientFrame(FIN | 0x8, new byte[] {3}, true)).events);
    }

    // RFC 6455 7.4: the codes an endpoint may send.
    @Test
    void closeCodesAPeerMaySendAreAccepted() {
        for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}) {
            assertEquals(List.of("close " + code + " "), afterClose(code, new byte[0]), "code " + code);
            assertTrue(FrameDecoder.validCloseCode(code));
        }
    }

    // RFC 6455 7.4.1/7.4.2: reserved, never-sent and unassigned codes.
    @Test
    void closeCodesNoPeerMaySendAreAProtocolError() {
        for (int code : new int[] {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
            assertEquals(List.of("violation 1002"), afterClose(code, new byte[0]), "code " + code);
        }
    }

    // RFC 6455 5.5.1 and 8.1: a close reason is UTF-8; invalid bytes are 1007.
    @Test
    void aCloseReasonThatIsNotUtf8Is1007() {
        assertEquals(List.of("close 1000 \u00e9t\u00e9 \u2603"), afterClose(1000, "\u00e9t\u00e9 \u2603".getBytes(StandardCharsets.UTF_8)));
        byte[][] invalid = {
                {(byte) 0xFF},                                  // never in UTF-8
                {(byte) 0xC3},                                  // a sequence cut short
                {(byte) 0xC0, (byte) 0x80},                     // an overlong NUL
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},        // a UTF-16 surrogate
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
        };
        for (byte[] reason : invalid) {
            assertEquals(List.of("violation 1007"), afterClose(1000, reason), java.util.HexFormat.of().formatHex(reason));
        }
    }

    // RFC 6455 5.4 with our limit: a fragmented message is joined up to --max-frame-bytes.
    @Test
    void aFragmentedMessageIsJoinedUpToTheLimit() {
        byte[] payload = randomBytes(MAX);
        byte[] wire = concat(clientFrame(0x2, java.util.Arrays.copyOfRange(payload, 0, 10), true),
                clientFrame(0x0, java.util.Arrays.copyOfRange(payload, 10, MAX - 1), true),
                clientFrame(FIN | 0x0, java.util.Arrays.copyOfRange(payload, MAX - 1, MAX), true));
        Recorder recorder = decodeAll(wire);
        assertEquals(List.of("binary " + MAX), recorder.events);
        assertArrayEquals(payload, recorder.messages.getFirst());
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
