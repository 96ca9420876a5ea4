package io.roomcast.core.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A room's recent events, encoded, for replay to players who resume: a ring of the last
 * {@code capacity} entries with offsets 1, 2, 3, ... (older ones fall out). A room taken over
 * from another node goes on from the offsets it had there.
 *
 * <p>Threading: confined to the room's thread.
 */
final class EventLog {

    private final byte[][] ring;
    private long lastOffset;
    /** Entries held: the offsets lastOffset - kept + 1 .. lastOffset. */
    private int kept;

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
        kept = Math.min(kept + 1, ring.length);
        return encoded;
    }

    /**
     * Before the first append: goes on from a log that was at {@code lastOffset} and held
     * {@code recent} (oldest first, the last one at {@code lastOffset}), keeping the newest of
     * them when they do not all fit.
     */
    void restore(long lastOffset, List<byte[]> recent) {
        if (this.lastOffset != 0) {
            throw new IllegalStateException("the log has events already");
        }
        if (lastOffset < recent.size()) {
            throw new IllegalArgumentException(recent.size() + " events cannot end at offset " + lastOffset);
        }
        this.lastOffset = lastOffset;
        kept = Math.min(recent.size(), ring.length);
        for (int i = 0; i < kept; i++) {
            ring[slot(lastOffset - i)] = recent.get(recent.size() - 1 - i);
        }
    }

    /** The kept events after {@code offset}, oldest first; empty when there are none. */
    List<byte[]> after(long offset) {
        long first = Math.max(Math.max(offset, 0) + 1, lastOffset - kept + 1);
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
