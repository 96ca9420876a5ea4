package io.roomcast.bots;

import java.nio.ByteBuffer;

/**
 * WebSocket frames (RFC 6455 section 5) as a client writes them: always final, always masked
 * (a client must mask, with a fresh key per frame). The opcodes are shared with {@link WsDecoder}.
 *
 * <p>Threading: stateless.
 */
final class WsFrames {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** The close code reported for a close frame that carries none. */
    static final int NO_STATUS = 1005;
    /** Control frames (close, ping, pong) carry at most this many payload bytes. */
    static final int MAX_CONTROL_PAYLOAD = 125;

    private WsFrames() {}

    /** Bytes of a client frame with an {@code n}-byte payload. */
    static int length(int n) {
        return 2 + (n < 126 ? 0 : n < 65536 ? 2 : 8) + 4 + n;
    }

    /**
     * Puts one final frame at {@code out}'s position (big-endian, room for {@link #length}):
     * header, mask key, masked payload. The payload buffer is read, not consumed.
     */
    static void put(ByteBuffer out, int opcode, ByteBuffer payload, int mask) {
        int n = payload.remaining();
        out.put((byte) (0x80 | opcode));
        if (n < 126) {
            out.put((byte) (0x80 | n));
        } else if (n < 65536) {
            out.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            out.put((byte) (0x80 | 127)).putLong(n);
        }
        out.putInt(mask);
        int start = out.position();
        out.put(start, payload, payload.position(), n).position(start + n);
        mask(out, mask, start, start + n);
    }

    /** XORs bytes [from, to) of {@code buf} with the 4-byte key (masking and unmasking are one operation). */
    static void mask(ByteBuffer buf, int mask, int from, int to) {
        long mask8 = (mask & 0xFFFFFFFFL) << 32 | (mask & 0xFFFFFFFFL);
        int i = from;
        for (; i + 8 <= to; i += 8) {
            buf.putLong(i, buf.getLong(i) ^ mask8);
        }
        for (int k = 0; i < to; i++, k++) {
            buf.put(i, (byte) (buf.get(i) ^ (mask >>> (24 - 8 * (k & 3)))));
        }
    }
}
