package io.roomcast.bots;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Splits the bytes a server sent into WebSocket messages (RFC 6455 section 5, client side):
 * server frames are unmasked; fragments are joined; control frames may come between them.
 * One decoder per socket, used by its loop thread only.
 *
 * <p>It holds no buffer of its own except while a fragmented message is being joined; the
 * caller keeps the bytes of an incomplete frame.
 */
final class WsDecoder {

    /** What the decoder found, in order. A handler may close the socket from any callback. */
    interface Handler {
        /** A whole message, {@link WsFrames#BINARY} or {@link WsFrames#TEXT}; the buffer is valid only during the call. */
        void onMessage(int opcode, ByteBuffer payload) throws IOException;

        void onPing(ByteBuffer payload) throws IOException;

        void onPong(ByteBuffer payload);

        /** The server's close frame; {@code code} is {@link WsFrames#NO_STATUS} when it carried none. Nothing follows. */
        void onClose(int code, String reason) throws IOException;
    }

    /** A message (or frame) over this is refused: nothing the bots receive comes near it. */
    static final int MAX_MESSAGE_BYTES = 16 << 20;

    /** The fragments of a message so far (only between a non-final frame and its last one). */
    private ByteBuffer fragments;
    private int fragmentedOpcode = -1;
    private boolean closed;

    /**
     * Decodes every complete frame in {@code in} (position to limit). On return the position is
     * at the first byte of an incomplete frame (or at the limit); the limit is unchanged.
     *
     * @throws ProtocolException when the server broke the protocol: the socket must be dropped
     */
    void decode(ByteBuffer in, Handler handler) throws IOException {
        int limit = in.limit();
        while (!closed) {
            long length = frameLength(in);
            if (length < 0 || length > in.remaining()) {
                return;
            }
            int start = in.position();
            int end = start + (int) length;
            int b0 = in.get(start) & 0xFF;
            in.limit(end).position(start + headerLength(in.get(start + 1)));
            frame(b0, in, handler);
            in.limit(limit).position(end);
        }
    }

    /**
     * Bytes (header and payload) of the frame at {@code in}'s position, or -1 while its header is
     * incomplete. Checks what a client must check of a server frame.
     */
    static long frameLength(ByteBuffer in) throws ProtocolException {
        if (in.remaining() < 2) {
            return -1;
        }
        int start = in.position();
        int b0 = in.get(start) & 0xFF;
        int b1 = in.get(start + 1) & 0xFF;
        if ((b0 & 0x70) != 0) {
            throw new ProtocolException("reserved bits set (no extension was agreed)");
        }
        if ((b1 & 0x80) != 0) {
            throw new ProtocolException("a server frame was masked");
        }
        int header = headerLength((byte) b1);
        if (in.remaining() < header) {
            return -1;
        }
        int length7 = b1 & 0x7F;
        long length = length7 == 126 ? in.getShort(start + 2) & 0xFFFF : length7 == 127 ? in.getLong(start + 2) : length7;
        if ((b0 & 0x08) != 0 && ((b0 & 0x80) == 0 || length > WsFrames.MAX_CONTROL_PAYLOAD)) {
            throw new ProtocolException("control frames are final and at most 125 bytes");
        }
        if (length < 0 || length > MAX_MESSAGE_BYTES) {
            throw new ProtocolException("frame over " + MAX_MESSAGE_BYTES + " bytes");
        }
        return header + length;
    }

    private static int headerLength(byte b1) {
        int length7 = b1 & 0x7F;
        return length7 == 126 ? 4 : length7 == 127 ? 10 : 2;
    }

    private void frame(int b0, ByteBuffer payload, Handler handler) throws IOException {
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        switch (opcode) {
            case WsFrames.BINARY, WsFrames.TEXT -> {
                if (fragmentedOpcode >= 0) {
                    throw new ProtocolException("a new message began before the last one ended");
                }
                if (fin) {
                    handler.onMessage(opcode, payload);
                } else {
                    fragmentedOpcode = opcode;
                    append(payload);
                }
            }
            case WsFrames.CONTINUATION -> {
                if (fragmentedOpcode < 0) {
                    throw new ProtocolException("a continuation frame without a message");
                }
                append(payload);
                if (fin) {
                    ByteBuffer whole = fragments.flip();
                    int wholeOpcode = fragmentedOpcode;
                    fragments = null;
                    fragmentedOpcode = -1;
                    handler.onMessage(wholeOpcode, whole);
                }
            }
            case WsFrames.PING -> handler.onPing(payload);
            case WsFrames.PONG -> handler.onPong(payload);
            case WsFrames.CLOSE -> {
                closed = true;
                close(payload, handler);
            }
            default -> throw new ProtocolException("unknown opcode " + opcode);
        }
    }

    private static void close(ByteBuffer payload, Handler handler) throws IOException {
        if (payload.remaining() == 1) {
            throw new ProtocolException("a close frame with a 1-byte body");
        }
        int code = WsFrames.NO_STATUS;
        String reason = "";
        if (payload.remaining() >= 2) {
            code = payload.getShort() & 0xFFFF;
            reason = StandardCharsets.UTF_8.decode(payload).toString();
        }
        handler.onClose(code, reason);
    }

    private void append(ByteBuffer payload) throws ProtocolException {
        int needed = (fragments == null ? 0 : fragments.position()) + payload.remaining();
        if (needed > MAX_MESSAGE_BYTES) {
            throw new ProtocolException("message over " + MAX_MESSAGE_BYTES + " bytes");
        }
        if (fragments == null) {
            fragments = ByteBuffer.allocate(Math.max(256, needed * 2));
        } else if (fragments.remaining() < payload.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX_MESSAGE_BYTES, Math.max(needed, fragments.capacity() * 2)));
            fragments = bigger.put(fragments.flip());
        }
        fragments.put(payload);
    }
}
