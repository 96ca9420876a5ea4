package io.roomcast.gateway.ws.wire;

import io.roomcast.proto.v1.ServerFrame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One server-to-client WebSocket frame, complete on the wire (header and payload), prepared once
 * and written as is to every socket it goes to: frames from a server are not masked (RFC 6455
 * 5.1), so the bytes are the same for every client.
 *
 * <p>Thread-safe: the bytes never change after construction. Each I/O thread writes through its
 * own view of them ({@link #view}), so sockets on different threads write the same frame at once
 * without copying it. A frame for many sockets lives in a direct buffer (the kernel reads it as
 * is; a heap buffer is copied into the thread's temporary direct one on every write); a frame for
 * a few sockets stays on the heap: a direct buffer costs a native allocation, zeroing and a
 * {@code Cleaner} that only a garbage collection frees, which a room's 20 frames a second to 4
 * members each (W2) paid ~1.5 % of a node for, while the copies cost ~50 ns a write.
 */
public final class WireFrame {

    static final int OPCODE_CONTINUATION = 0x0;
    static final int OPCODE_TEXT = 0x1;
    static final int OPCODE_BINARY = 0x2;
    static final int OPCODE_CLOSE = 0x8;
    static final int OPCODE_PING = 0x9;
    static final int OPCODE_PONG = 0xA;
    private static final int FIN = 0x80;
    /** A close frame's reason must fit a control frame: 125 bytes minus the 2-byte code. */
    private static final int MAX_CLOSE_REASON_BYTES = 123;

    /** From this many sockets on, a frame is made in a direct buffer (the two costs above break even near here). */
    static final int DIRECT_FROM_SOCKETS = 32;

    /** I/O threads with a cached view; a thread numbered higher makes a view per write. */
    private static final int VIEW_SLOTS = Runtime.getRuntime().availableProcessors() * 2;

    private final ByteBuffer bytes;
    private final boolean droppable;
    private final boolean close;
    private final ServerFrame.BodyCase body;
    private final ByteBuffer[] views = new ByteBuffer[VIEW_SLOTS];

    private WireFrame(ByteBuffer bytes, boolean droppable, boolean close, ServerFrame.BodyCase body) {
        this.bytes = bytes;
        this.droppable = droppable;
        this.close = close;
        this.body = body;
    }

    /**
     * A binary message for {@code sockets} sockets (a room's frame to this node's members).
     * {@code droppable} marks a frame that may be skipped for a slow socket (a state: the next one
     * supersedes it) rather than closing the socket.
     */
    public static WireFrame binary(byte[] payload, boolean droppable, ServerFrame.BodyCase body, int sockets) {
        return new WireFrame(frame(OPCODE_BINARY, payload, sockets >= DIRECT_FROM_SOCKETS), droppable, false, body);
    }

    /** A binary message for one socket (a reply, an error, a Joined). */
    public static WireFrame binaryForOne(byte[] payload, boolean droppable, ServerFrame.BodyCase body) {
        return binary(payload, droppable, body, 1);
    }

    /** A close frame with its status code and a reason (cut to what a control frame holds). */
    public static WireFrame close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int reasonLength = Math.min(text.length, MAX_CLOSE_REASON_BYTES);
        byte[] payload = new byte[2 + reasonLength];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, reasonLength);
        return new WireFrame(frame(OPCODE_CLOSE, payload, false), false, true, ServerFrame.BodyCase.BODY_NOT_SET);
    }

    /** The answer to a ping: the same application data back. */
    public static WireFrame pong(ByteBuffer pingPayload) {
        byte[] payload = new byte[pingPayload.remaining()];
        pingPayload.get(payload);
        return new WireFrame(frame(OPCODE_PONG, payload, false), false, false, ServerFrame.BodyCase.BODY_NOT_SET);
    }

    private static ByteBuffer frame(int opcode, byte[] payload, boolean direct) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuffer out = direct ? ByteBuffer.allocateDirect(header + length) : ByteBuffer.allocate(header + length);
        out.put((byte) (FIN | opcode));
        if (length < 126) {
            out.put((byte) length);
        } else if (length <= 0xFFFF) {
            out.put((byte) 126).putShort((short) length);
        } else {
            out.put((byte) 127).putLong(length);
        }
        out.put(payload);
        return out.flip().asReadOnlyBuffer();
    }

    /** Bytes on the wire: header and payload. */
    public int wireLength() {
        return bytes.capacity();
    }

    public boolean droppable() {
        return droppable;
    }

    public boolean isClose() {
        return close;
    }

    /** What the payload of a binary frame is, for the sender's counters (control frames: BODY_NOT_SET). */
    public ServerFrame.BodyCase body() {
        return body;
    }

    /**
     * The frame's bytes for the I/O thread numbered {@code thread}, positioned at {@code offset}
     * (bytes already written to the socket at hand). Only that thread may use the view.
     */
    public ByteBuffer view(int thread, int offset) {
        ByteBuffer view;
        if (thread < VIEW_SLOTS) {
            view = views[thread];
            if (view == null) {
                view = bytes.duplicate();
                views[thread] = view;
            }
        } else {
            view = bytes.duplicate(); // more I/O threads than expected: correct, only slower
        }
        return view.limit(view.capacity()).position(offset);
    }

    /** Whether the bytes live outside the heap (for tests). */
    boolean isDirect() {
        return bytes.isDirect();
    }

    /** A copy of the frame's wire bytes (for tests and logs). */
    public byte[] toByteArray() {
        byte[] out = new byte[bytes.capacity()];
        bytes.duplicate().clear().get(out);
        return out;
    }
}
