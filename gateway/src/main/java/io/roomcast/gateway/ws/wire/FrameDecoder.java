package io.roomcast.gateway.ws.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Splits the bytes a client sent into WebSocket messages (RFC 6455 section 5): unmasks them in
 * place, joins fragments, and checks every rule a server must check. One decoder per socket,
 * used by its I/O thread only.
 *
 * <p>It holds no buffer of its own except while a fragmented message is being joined, so an
 * idle socket costs nothing here; the caller keeps the bytes of an incomplete frame.
 */
public final class FrameDecoder {

    /** What the decoder found, in order. A handler may close the socket from any callback. */
    public interface Handler {
        /** A whole binary message; the buffer is valid only during the call. */
        void onBinary(ByteBuffer message);

        /** A text message: this protocol has none (the payload is not kept). */
        void onText();

        void onPing(ByteBuffer payload);

        /** The client's close frame; {@code code} is 1005 when it carried none. */
        void onClose(int code, String reason);

        /** The client broke the protocol or a limit: close with {@code closeCode}. */
        void onViolation(int closeCode, String reason);
    }

    public static final int CLOSE_NORMAL = 1000;
    public static final int CLOSE_PROTOCOL_ERROR = 1002;
    public static final int CLOSE_NO_STATUS = 1005;
    /** Never on the wire (RFC 6455 7.4.1): how a connection that ended without a close frame is counted. */
    public static final int CLOSE_ABNORMAL = 1006;
    public static final int CLOSE_INVALID_PAYLOAD = 1007;
    public static final int CLOSE_TOO_BIG = 1009;

    private final int maxMessageBytes;
    /** The fragments of a message so far (only between a non-final frame and its last one). */
    private ByteBuffer fragments;
    private int fragmentedOpcode = -1;
    private boolean failed;

    public FrameDecoder(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Decodes every complete frame in {@code in} (from its position to its limit), unmasking in
     * place. On return the position is at the first byte of an incomplete frame (or the limit).
     *
     * @return false once the client broke the protocol (reported to {@link Handler#onViolation});
     *         the socket must then be closed and nothing more decoded
     */
    public boolean decode(ByteBuffer in, Handler handler) {
        in.order(ByteOrder.BIG_ENDIAN);
        while (!failed && in.remaining() >= 2) {
            int start = in.position();
            int b0 = in.get(start) & 0xFF;
            int b1 = in.get(start + 1) & 0xFF;
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            boolean masked = (b1 & 0x80) != 0;
            int length7 = b1 & 0x7F;
            int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
            if ((b0 & 0x70) != 0) {
                return violation(handler, CLOSE_PROTOCOL_ERROR, "reserved bits set (no extension was agreed)");
            }
            if (!masked) {
                return violation(handler, CLOSE_PROTOCOL_ERROR, "client frames must be masked");
            }
            if (in.remaining() < header) {
                return true;
            }
            long length = length7 == 126 ? in.getShort(start + 2) & 0xFFFF
                    : length7 == 127 ? in.getLong(start + 2) : length7;
            if (length < 0) {
                return violation(handler, CLOSE_PROTOCOL_ERROR, "64-bit length with its most significant bit set");
            }
            boolean control = (opcode & 0x8) != 0;
            if (control && (!fin || length > 125)) {
                return violation(handler, CLOSE_PROTOCOL_ERROR, "control frames are final and at most 125 bytes");
            }
            long messageSoFar = control || fragments == null ? 0 : fragments.position();
            if (messageSoFar + length > maxMessageBytes) {
                return violation(handler, CLOSE_TOO_BIG, "message over " + maxMessageBytes + " bytes");
            }
            if (in.remaining() < header + length) {
                return true;
            }
            int payloadStart = start + header;
            int payloadEnd = payloadStart + (int) length;
            unmask(in, in.getInt(payloadStart - 4), payloadStart, payloadEnd);
            ByteBuffer payload = in.duplicate().limit(payloadEnd).position(payloadStart);
            in.position(payloadEnd);
            if (!frame(fin, opcode, payload, handler)) {
                return false;
            }
        }
        return !failed;
    }

    private boolean frame(boolean fin, int opcode, ByteBuffer payload, Handler handler) {
        switch (opcode) {
            case WireFrame.OPCODE_BINARY, WireFrame.OPCODE_TEXT -> {
                if (fragmentedOpcode >= 0) {
                    return violation(handler, CLOSE_PROTOCOL_ERROR, "a new message began before the last one ended");
                }
                if (fin) {
                    message(opcode, payload, handler);
                } else {
                    fragmentedOpcode = opcode;
                    append(payload);
                }
            }
            case WireFrame.OPCODE_CONTINUATION -> {
                if (fragmentedOpcode < 0) {
                    return violation(handler, CLOSE_PROTOCOL_ERROR, "continuation frame without a message");
                }
                append(payload);
                if (fin) {
                    ByteBuffer whole = fragments.flip();
                    int wholeOpcode = fragmentedOpcode;
                    fragments = null;
                    fragmentedOpcode = -1;
                    message(wholeOpcode, whole, handler);
                }
            }
            case WireFrame.OPCODE_PING -> handler.onPing(payload);
            case WireFrame.OPCODE_PONG -> { } // unsolicited pongs are allowed and ignored
            case WireFrame.OPCODE_CLOSE -> {
                return close(payload, handler);
            }
            default -> {
                return violation(handler, CLOSE_PROTOCOL_ERROR, "unknown opcode " + opcode);
            }
        }
        return true;
    }

    private void message(int opcode, ByteBuffer payload, Handler handler) {
        if (opcode == WireFrame.OPCODE_TEXT) {
            handler.onText();
        } else {
            handler.onBinary(payload);
        }
    }

    private boolean close(ByteBuffer payload, Handler handler) {
        failed = true; // nothing after a close frame is read
        if (payload.remaining() == 1) {
            handler.onViolation(CLOSE_PROTOCOL_ERROR, "close frame with a 1-byte body");
            return false;
        }
        int code = CLOSE_NO_STATUS;
        String reason = "";
        if (payload.remaining() >= 2) {
            code = payload.getShort() & 0xFFFF;
            if (!validCloseCode(code)) {
                handler.onViolation(CLOSE_PROTOCOL_ERROR, "close code " + code + " may not be sent");
                return false;
            }
            try {
                reason = StandardCharsets.UTF_8.newDecoder().decode(payload).toString();
            } catch (CharacterCodingException e) {
                handler.onViolation(CLOSE_INVALID_PAYLOAD, "close reason is not UTF-8");
                return false;
            }
        }
        handler.onClose(code, reason);
        return true;
    }

    /**
     * Whether a peer may send {@code code} in a close frame (RFC 6455 7.4 and the IANA registry):
     * 1000-1003 and 1007-1014 are defined; 1004 is reserved; 1005, 1006 and 1015 must never be
     * sent (they stand for "none", "dropped" and "TLS failed"); 1016-2999 are unassigned; 3000-4999
     * belong to libraries and applications; anything else is not a close code.
     */
    public static boolean validCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    private void append(ByteBuffer payload) {
        if (fragments == null) {
            fragments = ByteBuffer.allocate(Math.max(256, payload.remaining() * 2));
        } else if (fragments.remaining() < payload.remaining()) {
            int needed = fragments.position() + payload.remaining();
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(maxMessageBytes, Math.max(needed, fragments.capacity() * 2)));
            bigger.put(fragments.flip());
            fragments = bigger;
        }
        fragments.put(payload);
    }

    private boolean violation(Handler handler, int code, String reason) {
        failed = true;
        handler.onViolation(code, reason);
        return false;
    }

    /** XORs the payload with the 4-byte mask, 8 bytes at a time where it can. */
    private static void unmask(ByteBuffer buf, int mask, int from, int to) {
        long mask8 = (mask & 0xFFFFFFFFL) << 32 | (mask & 0xFFFFFFFFL);
        int i = from;
        for (; i + 8 <= to; i += 8) {
            buf.putLong(i, buf.getLong(i) ^ mask8);
        }
        for (int k = 0; i < to; i++, k++) {
            int shift = 24 - 8 * (k & 3);
            buf.put(i, (byte) (buf.get(i) ^ (mask >>> shift)));
        }
    }
}
