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

    /** Where the varint read last ended; -1 when it was not one this reader takes. */
    private int varintEnd;

    /**
     * Reads {@code frame} (from its position to its limit, which it leaves as they are) if it is
     * an input of the shape above for the remembered room; false when it is anything else.
     */
    boolean read(ByteBuffer frame) {
        int at = frame.position();
        int end = frame.limit();
        int request = 0;
        if (at < end && frame.get(at) == REQUEST_ID_TAG) {
            request = varint(frame, at + 1, end);
            if (varintEnd < 0) {
                return false;
            }
            at = varintEnd;
        }
        if (at >= end || frame.get(at) != INPUT_TAG) {
            return false;
        }
        int inputLength = varint(frame, at + 1, end);
        if (varintEnd < 0 || inputLength != end - varintEnd) {
            return false; // the input is not the frame's last field, or it is cut short
        }
        at = varintEnd;
        // room_id: required here, and must be the remembered one
        if (at >= end || frame.get(at) != ROOM_ID_TAG) {
            return false;
        }
        int roomIdLength = varint(frame, at + 1, end);
        if (varintEnd < 0 || roomIdLength != roomIdBytes.length || roomIdLength > end - varintEnd
                || !sameBytes(frame, varintEnd, roomIdBytes)) {
            return false;
        }
        at = varintEnd + roomIdLength;
        int inputSeq = 0;
        if (at < end && frame.get(at) == SEQ_TAG) {
            inputSeq = varint(frame, at + 1, end);
            if (varintEnd < 0) {
                return false;
            }
            at = varintEnd;
        }
        ByteString inputPayload = ByteString.EMPTY;
        if (at < end && frame.get(at) == PAYLOAD_TAG) {
            int payloadLength = varint(frame, at + 1, end);
            if (varintEnd < 0 || payloadLength < 0 || payloadLength > end - varintEnd) {
                return false;
            }
            byte[] bytes = new byte[payloadLength];
            frame.get(varintEnd, bytes);
            inputPayload = UnsafeByteOperations.unsafeWrap(bytes); // ours alone: nobody else holds the array
            at = varintEnd + payloadLength;
        }
        if (at != end) {
            return false; // a field out of order, repeated or unknown
        }
        requestId = request;
        seq = inputSeq;
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

    /**
     * A varint of at most five bytes from {@code at}, truncated to 32 bits as protobuf reads a
     * uint32; sets {@link #varintEnd}, to -1 when the varint runs past {@code end} or is longer.
     */
    private int varint(ByteBuffer frame, int at, int end) {
        int value = 0;
        for (int i = 0; i < 5 && at + i < end; i++) {
            int b = frame.get(at + i);
            value |= (b & 0x7F) << (7 * i);
            if (b >= 0) {
                varintEnd = at + i + 1;
                return value;
            }
        }
        varintEnd = -1;
        return 0;
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
