package io.roomcast.gateway.ws;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.Input;
import io.roomcast.proto.v1.Ping;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The input fast path against protobuf-java: whatever it reads, protobuf-java reads the same; the
 * frames every encoder writes for the remembered room, it reads.
 */
class InputFrameReaderTest {

    private static final String ROOM = "r-7f3a9c";
    private static final String[] OTHER_ROOMS = {"", "r-7f3a9d", "r-7f3a9", "r-7f3a9c0", "salle-été-🎲"};

    private final Random random = new Random(20261205);

    @Test
    void readsTheInputsOfTheRememberedRoomAsProtobufDoes() throws Exception {
        InputFrameReader reader = new InputFrameReader();
        reader.remember(ROOM);
        for (int i = 0; i < 5_000; i++) {
            ClientFrame frame = input(ROOM);
            ByteBuffer buffer = inSomeBuffer(frame.toByteArray());
            int position = buffer.position();
            int limit = buffer.limit();
            assertTrue(reader.read(buffer), () -> "declined " + frame);
            assertEquals(position, buffer.position(), "the frame's position is left as it was");
            assertEquals(limit, buffer.limit());
            assertSameAsProtobuf(reader, frame);
        }
    }

    @Test
    void declinesAnotherRoomUntilItIsRemembered() {
        InputFrameReader reader = new InputFrameReader();
        reader.remember(ROOM);
        for (String other : OTHER_ROOMS) {
            ClientFrame frame = ClientFrame.newBuilder().setRequestId(3)
                    .setInput(Input.newBuilder().setRoomId(other).setSeq(9).setPayload(ByteString.copyFromUtf8("x"))).build();
            assertFalse(reader.read(ByteBuffer.wrap(frame.toByteArray())), other);
            reader.remember(other);
            assertEquals(!other.isEmpty(), reader.read(ByteBuffer.wrap(frame.toByteArray())),
                    "an input without a room id is left to protobuf: " + other);
            reader.remember(ROOM);
        }
    }

    @Test
    void declinesEveryOtherKindOfFrame() {
        InputFrameReader reader = new InputFrameReader();
        reader.remember(ROOM);
        ClientFrame[] others = {
                ClientFrame.newBuilder().setRequestId(1).setPing(Ping.newBuilder().setClientTimeMs(12345)).build(),
                ClientFrame.newBuilder().setEmit(Emit.newBuilder().setRoomId(ROOM).setName("chat")).build(),
                ClientFrame.newBuilder().setRequestId(5).build(),
                ClientFrame.getDefaultInstance(),
        };
        for (ClientFrame other : others) {
            assertFalse(reader.read(ByteBuffer.wrap(other.toByteArray())), other::toString);
        }
    }

    /** Frames as another encoder could write them, or as a broken or hostile client would. */
    @Test
    void whateverItReadsFromAMangledFrameProtobufReadsTheSame() throws Exception {
        InputFrameReader reader = new InputFrameReader();
        reader.remember(ROOM);
        int read = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = mangle(input(ROOM).toByteArray());
            if (!reader.read(inSomeBuffer(bytes))) {
                continue;
            }
            read++;
            ClientFrame parsed;
            try {
                parsed = ClientFrame.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                fail("read a frame protobuf refuses: " + Arrays.toString(bytes));
                return;
            }
            assertSameAsProtobuf(reader, parsed);
        }
        assertTrue(read > 1_000, "some mangled frames are still plain inputs: " + read);
    }

    @Test
    void takesLongerVarintsAsProtobufDoes() throws Exception {
        InputFrameReader reader = new InputFrameReader();
        reader.remember(ROOM);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0x08, (byte) 0x85, (byte) 0x80, 0x00}); // request_id 5 in three bytes
        byte[] input = Input.newBuilder().setRoomId(ROOM).setSeq(-1).build().toByteArray(); // seq 2^32-1: five bytes
        out.write(0x6A);
        out.write(input.length);
        out.write(input);
        byte[] bytes = out.toByteArray();
        assertTrue(reader.read(ByteBuffer.wrap(bytes)));
        assertSameAsProtobuf(reader, ClientFrame.parseFrom(bytes));
        assertEquals(5, reader.requestId());
        assertEquals(-1, reader.seq());
    }

    private ClientFrame input(String room) {
        Input.Builder input = Input.newBuilder().setRoomId(room);
        if (random.nextInt(4) > 0) {
            input.setSeq(random.nextInt(3) == 0 ? random.nextInt() : random.nextInt(100_000));
        }
        if (random.nextInt(4) > 0) {
            byte[] payload = new byte[random.nextInt(random.nextInt(8) == 0 ? 300 : 12)];
            random.nextBytes(payload);
            input.setPayload(ByteString.copyFrom(payload));
        }
        ClientFrame.Builder frame = ClientFrame.newBuilder().setInput(input);
        if (random.nextBoolean()) {
            frame.setRequestId(random.nextInt(3) == 0 ? random.nextInt() : random.nextInt(1_000));
        }
        return frame.build();
    }

    /** The frame at a random offset of a heap or direct buffer with bytes around it. */
    private ByteBuffer inSomeBuffer(byte[] frame) {
        int before = random.nextInt(4);
        int after = random.nextInt(4);
        ByteBuffer buffer = random.nextBoolean()
                ? ByteBuffer.allocate(before + frame.length + after)
                : ByteBuffer.allocateDirect(before + frame.length + after);
        byte[] noise = new byte[before + frame.length + after];
        random.nextBytes(noise);
        buffer.put(noise).position(before).put(frame);
        return buffer.limit(before + frame.length).position(before);
    }

    private byte[] mangle(byte[] frame) throws IOException {
        int at = frame.length == 0 ? 0 : random.nextInt(frame.length);
        switch (random.nextInt(7)) {
            case 0 -> { // a byte changed
                byte[] out = frame.clone();
                if (out.length > 0) {
                    out[at] = (byte) random.nextInt(256);
                }
                return out;
            }
            case 1 -> { // cut short
                return Arrays.copyOf(frame, at);
            }
            case 2 -> { // bytes appended
                byte[] tail = new byte[1 + random.nextInt(4)];
                random.nextBytes(tail);
                return concat(frame, tail);
            }
            case 3 -> { // another field of the frame appended: unknown, a second request id or input
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                CodedOutputStream coded = CodedOutputStream.newInstance(out);
                switch (random.nextInt(3)) {
                    case 0 -> coded.writeUInt32(1, random.nextInt(50));
                    case 1 -> coded.writeUInt32(99, 7);
                    default -> coded.writeMessage(13, Input.newBuilder().setSeq(random.nextInt(9)).build());
                }
                coded.flush();
                return random.nextBoolean() ? concat(frame, out.toByteArray()) : concat(out.toByteArray(), frame);
            }
            case 4 -> { // a field inside the input appended (its length grown to match)
                if (inputLength(frame) < 0) {
                    return frame;
                }
                byte[] input = Arrays.copyOfRange(frame, frame.length - inputLength(frame), frame.length);
                ByteArrayOutputStream extra = new ByteArrayOutputStream();
                CodedOutputStream coded = CodedOutputStream.newInstance(extra);
                switch (random.nextInt(4)) {
                    case 0 -> coded.writeString(1, ROOM);
                    case 1 -> coded.writeUInt32(2, random.nextInt(50));
                    case 2 -> coded.writeBytes(3, ByteString.copyFromUtf8("p"));
                    default -> coded.writeUInt32(4, 1);
                }
                coded.flush();
                byte[] grown = random.nextBoolean() ? concat(input, extra.toByteArray()) : concat(extra.toByteArray(), input);
                if (grown.length > 127) {
                    return frame;
                }
                byte[] head = Arrays.copyOf(frame, frame.length - input.length - 2);
                return concat(head, new byte[] {0x6A, (byte) grown.length}, grown);
            }
            case 5 -> { // a length byte off by one
                if (inputLength(frame) < 0) {
                    return frame;
                }
                byte[] out = frame.clone();
                int lengthAt = frame.length - inputLength(frame) - 1;
                out[lengthAt] += random.nextBoolean() ? 1 : -1;
                return out;
            }
            default -> {
                return frame;
            }
        }
    }

    /** The input's length in a frame as protobuf-java writes it (the input last), -1 unless it takes one byte. */
    private static int inputLength(byte[] frame) {
        for (int i = 0; i < frame.length - 1; i++) {
            if (frame[i] == 0x6A && frame[i + 1] == frame.length - i - 2) {
                return frame[i + 1];
            }
        }
        return -1;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void assertSameAsProtobuf(InputFrameReader reader, ClientFrame parsed) {
        assertEquals(ClientFrame.BodyCase.INPUT, parsed.getBodyCase());
        assertEquals(parsed.getRequestId(), reader.requestId());
        assertEquals(parsed.getInput().getRoomId(), reader.roomId());
        assertEquals(parsed.getInput().getSeq(), reader.seq());
        assertEquals(parsed.getInput().getPayload(), reader.payload());
    }
}
