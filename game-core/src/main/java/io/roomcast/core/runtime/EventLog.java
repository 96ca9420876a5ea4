package io.roomcast.core.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A room's recent events, encoded, for replay to players who resume: a ring of the last
 * {@code capacity} entries with offsets 1, 2, 3, ... (older ones fall out).
 *
 * <p>Threading: confined to the room's thread.
 */
final class EventLog {

    private final byte[][] ring;
    private long lastOffset;

    EventLog(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0, was " + capacity);
        }
        ring = new byte[capacity][];
    }

    /**
     * Appends an event encoded by {@code encodeAt}, which receives the event's offset (the
     * encoded frame carries it). Returns the encoded event.
     */
    byte[] append(LongFunction<byte[]> encodeAt) {
        long offset = lastOffset + 1;
        byte[] encoded = encodeAt.apply(offset);
        ring[slot(offset)] = encoded;
        lastOffset = offset;
        return encoded;
    }

    /** The kept events after {@code offset}, oldest first; empty when there are none. */
    List<byte[]> after(long offset) {
        long first = Math.max(Math.max(offset, 0) + 1, lastOffset - ring.length + 1);
        List<byte[]> events = new ArrayList<>((int) Math.max(0, lastOffset - first + 1));
        for (long o = first; o <= lastOffset; o++) {
            events.add(ring[slot(o)]);
        }
        return events;
    }

    /** The offset of the newest event; 0 before the first. */
    long lastOffset() {
        return lastOffset;
    }

    private int slot(long offset) {
        return (int) (offset % ring.length);
    }
}
