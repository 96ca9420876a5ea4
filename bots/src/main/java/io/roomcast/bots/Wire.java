package io.roomcast.bots;

import java.nio.ByteBuffer;

/**
 * Reads the two frames that arrive by the thousand — {@code ServerFrame.event} and
 * {@code ServerFrame.state} — straight from the received bytes, allocating nothing: field by
 * field over the protobuf wire format, keeping only what the bots measure. Any other frame
 * (welcome, joined, error, ...) is rare and is parsed with the generated classes instead.
 *
 * <p>Field numbers are those of {@code roomcast/v1/frames.proto}; proto3 leaves out fields at
 * their default value, so every result starts at 0.
 *
 * <p>Threading: one instance per bot, used by that bot's receive callbacks (which the
 * WebSocket client calls one at a time).
 */
public final class Wire {

    /** {@code ServerFrame} body field numbers. */
    public static final int STATE = 13;
    public static final int EVENT = 14;

    private static final int WIRE_VARINT = 0;
    private static final int WIRE_I64 = 1;
    private static final int WIRE_LEN = 2;
    private static final int WIRE_I32 = 5;

    private ByteBuffer buf;
    private int pos;

    // ── what the last read found ──
    /** The body field number of the frame, {@link #STATE}, {@link #EVENT} or another. */
    public int body;
    /** State: tick, owner epoch, server time, keyframe flag, and the applied seq of {@link #seat}. */
    public long tick;
    public long epoch;
    public long serverTimeMs;
    public boolean keyframe;
    public int seat = -1;
    public long appliedSeq;
    public boolean appliedFound;
    /** State and event: where the room id lies in the buffer ({@code roomIdLength} 0 when absent). */
    public int roomIdOffset;
    public int roomIdLength;
    /** Event: where its payload lies in the buffer ({@code payloadLength} -1 when absent). */
    public int payloadOffset;
    public int payloadLength;
    public long eventOffset;
    public boolean direct;

    /**
     * Reads the frame in {@code frame} (from its position to its limit; neither is changed). For
     * a state, also finds the applied seq of seat {@link #seat}. Returns the body field number;
     * for bodies other than state and event, nothing else is read.
     *
     * @throws IllegalArgumentException on bytes that are not a well-formed frame
     */
    public int read(ByteBuffer frame) {
        this.buf = frame;
        this.pos = frame.position();
        int limit = frame.limit();
        body = 0;
        tick = 0;
        epoch = 0;
        serverTimeMs = 0;
        keyframe = false;
        appliedSeq = 0;
        appliedFound = false;
        payloadOffset = 0;
        payloadLength = -1;
        roomIdOffset = 0;
        roomIdLength = 0;
        eventOffset = 0;
        direct = false;
        while (pos < limit) {
            long tag = varint(limit);
            int field = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            if ((field == STATE || field == EVENT) && type == WIRE_LEN) {
                int end = lengthEnd(limit);
                body = field;
                if (field == STATE) {
                    readState(end);
                } else {
                    readEvent(end);
                }
                pos = end;
            } else {
                if (field >= 10 && body == 0) {
                    body = field; // another body: the caller parses it fully
                    return body;
                }
                skip(type, limit);
            }
        }
        return body;
    }

    /** Whether the state or event last read is of the room whose id (UTF-8) is {@code roomId}. */
    public boolean roomIs(byte[] roomId) {
        if (roomId == null || roomId.length != roomIdLength) {
            return false;
        }
        for (int i = 0; i < roomIdLength; i++) {
            if (buf.get(roomIdOffset + i) != roomId[i]) {
                return false;
            }
        }
        return true;
    }

    /** A little-endian long at {@code offset} of the last frame read. */
    public long longAt(int offset) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf.get(offset + i) & 0xFF);
        }
        return v;
    }

    private void readState(int end) {
        while (pos < end) {
            long tag = varint(end);
            int field = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            switch (field) {
                case 1 -> roomId(end);
                case 2 -> tick = varint(end);
                case 3 -> keyframe = varint(end) != 0;
                case 6 -> {
                    if (type != WIRE_LEN) {
                        throw new IllegalArgumentException("State.applied is not length-delimited");
                    }
                    int seatEnd = lengthEnd(end);
                    readSeatInput(seatEnd);
                    pos = seatEnd;
                }
                case 7 -> serverTimeMs = varint(end);
                case 8 -> epoch = varint(end);
                default -> skip(type, end);
            }
        }
    }

    private void readSeatInput(int end) {
        long s = 0;
        long seq = 0;
        while (pos < end) {
            long tag = varint(end);
            int field = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            if (field == 1 && type == WIRE_VARINT) {
                s = varint(end);
            } else if (field == 2 && type == WIRE_VARINT) {
                seq = varint(end);
            } else {
                skip(type, end);
            }
        }
        if (s == seat) {
            appliedSeq = seq & 0xFFFF_FFFFL;
            appliedFound = true;
        }
    }

    private void readEvent(int end) {
        while (pos < end) {
            long tag = varint(end);
            int field = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            switch (field) {
                case 1 -> roomId(end);
                case 4 -> {
                    int payloadEnd = lengthEnd(end);
                    payloadOffset = pos;
                    payloadLength = payloadEnd - pos;
                    pos = payloadEnd;
                }
                case 5 -> eventOffset = varint(end);
                case 6 -> direct = varint(end) != 0;
                default -> skip(type, end);
            }
        }
    }

    private void roomId(int end) {
        int idEnd = lengthEnd(end);
        roomIdOffset = pos;
        roomIdLength = idEnd - pos;
        pos = idEnd;
    }

    /** Reads a length prefix; returns where the field ends (pos is then at its first byte). */
    private int lengthEnd(int limit) {
        long length = varint(limit);
        if (length < 0 || length > limit - pos) {
            throw new IllegalArgumentException("a length-delimited field overruns the frame");
        }
        return pos + (int) length;
    }

    private long varint(int limit) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw new IllegalArgumentException("a varint overruns the frame");
            }
            byte b = buf.get(pos++);
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("a varint is longer than 10 bytes");
    }

    private void skip(int type, int limit) {
        switch (type) {
            case WIRE_VARINT -> varint(limit);
            case WIRE_I64 -> advance(8, limit);
            case WIRE_LEN -> pos = lengthEnd(limit);
            case WIRE_I32 -> advance(4, limit);
            default -> throw new IllegalArgumentException("unsupported wire type " + type);
        }
    }

    private void advance(int n, int limit) {
        if (limit - pos < n) {
            throw new IllegalArgumentException("a fixed-size field overruns the frame");
        }
        pos += n;
    }
}
