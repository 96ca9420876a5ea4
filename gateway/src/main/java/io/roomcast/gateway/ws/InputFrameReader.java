package io.roomcast.gateway.ws;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the frame a player sends most — a {@code ClientFrame} holding only an {@code Input}, 20 or
 * more a second — without protobuf-java's message, builders and input stream, which were about a
 * third of a W2 node's allocation. It takes only the shape every encoder writes: {@code
 * request_id} (1) if not 0, then {@code input} (13) as the last field, holding {@code room_id}
 * (1), {@code seq} (2) and {@code payload} (3) in field order, each at most once, with varints of
 * at most five bytes and nothing else; and only a room id equal to the one it recognised last
 * ({@link #remember}). Anything else, it declines and {@code ClientFrame.parseFrom} reads the
 * frame: so a frame means the same whichever path read it (InputFrameReaderTest checks that
 * against protobuf-java on generated and mangled frames).
 *
 * <p>One per connection, used on its I/O thread only.
 */
final class InputFrameReader {

    private static final int REQUEST_ID_TAG = 1 << 3;             // field 1, varint
    private static final int INPUT_TAG = 13 << 3 | 2;             // field 13, length-delimited
    private static final int ROOM_ID_TAG = 1 << 3 | 2;            // Input field 1, length-delimited
    private static final int SEQ_TAG = 2 << 3;                    // Input field 2, varint
    private static final int PAYLOAD_TAG = 3 << 3 | 2;            // Input field 3, length-delimited

    private byte[] roomIdBytes = new byte[0];
    private String roomId = "";

    private int requestId;
    private int seq;
    private ByteString payload = ByteString.EMPTY;

    /** Where {@link #read} is in the frame it reads. */
    private int at;

    /**
     * Reads {@code frame} (from its position to its limit, which it leaves as they are) if it is
     * an input of the shape above for the remembered room; false when it is anything else.
     */
    boolean read(ByteBuffer frame) {
        at = frame.position();
        int end = frame.limit();
        long request = optionalVarint(frame, end, REQUEST_ID_TAG);
        if (request < 0 || !skipTag(frame, end, INPUT_TAG)) {
            return false;
        }
        long inputLength = varint(frame, end);
        if (inputLength != end - at) {
            return false; // the input is not the frame's last field, or it is cut short
        }
        // room_id: required here, and must be the remembered one
        if (!skipTag(frame, end, ROOM_ID_TAG) || varint(frame, end) != roomIdBytes.length
                || roomIdBytes.length > end - at || !sameBytes(frame, at, roomIdBytes)) {
            return false;
        }
        at += roomIdBytes.length;
        long inputSeq = optionalVarint(frame, end, SEQ_TAG);
        if (inputSeq < 0) {
            return false;
        }
        ByteString inputPayload = ByteString.EMPTY;
        if (skipTag(frame, end, PAYLOAD_TAG)) {
            long payloadLength = varint(frame, end);
            if (payloadLength < 0 || payloadLength > end - at) {
                return false;
            }
            byte[] bytes = new byte[(int) payloadLength];
            frame.get(at, bytes);
            inputPayload = UnsafeByteOperations.unsafeWrap(bytes); // ours alone: nobody else holds the array
            at += bytes.length;
        }
        if (at != end) {
            return false; // a field out of order, repeated or unknown
        }
        requestId = (int) request;
        seq = (int) inputSeq;
        payload = inputPayload;
        return true;
    }

    /** The room id that {@link #read} recognises from now on (the one a fully parsed input named). */
    void remember(String room) {
        if (!room.equals(roomId)) {
            roomId = room;
            roomIdBytes = room.getBytes(StandardCharsets.UTF_8);
        }
    }

    String roomId() {
        return roomId;
    }

    int requestId() {
        return requestId;
    }

    int seq() {
        return seq;
    }

    ByteString payload() {
        return payload;
    }

    /** Steps over {@code tag} when it is the next byte. */
    private boolean skipTag(ByteBuffer frame, int end, int tag) {
        if (at < end && frame.get(at) == tag) {
            at++;
            return true;
        }
        return false;
    }

    /** An optional varint field: its value, 0 (protobuf's default) when absent, -1 when unreadable. */
    private long optionalVarint(ByteBuffer frame, int end, int tag) {
        return skipTag(frame, end, tag) ? varint(frame, end) : 0;
    }

    /**
     * The varint at {@link #at}, of at most five bytes, as the unsigned 32 bits protobuf reads for a
     * uint32, stepping over it; -1 when it runs past {@code end} or is longer.
     */
    private long varint(ByteBuffer frame, int end) {
        int value = 0;
        for (int i = 0; i < 5 && at < end; i++) {
            int b = frame.get(at++);
            value |= (b & 0x7F) << (7 * i);
            if (b >= 0) {
                return value & 0xFFFFFFFFL;
            }
        }
        return -1;
    }

    private static boolean sameBytes(ByteBuffer frame, int at, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (frame.get(at + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
