package io.roomcast.core.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.proto.v1.ServerFrame;

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
     * {@code recent} (oldest first, encoded events that carry their offsets), keeping the newest
     * of them when they do not all fit. {@code lastOffset} may be past the newest of them: offsets
     * a former owner gave out after its last snapshot are never given out again, and those events,
     * lost with it, are a gap in the log that a replay skips.
     */
    void restore(long lastOffset, List<byte[]> recent) {
        if (this.lastOffset != 0) {
            throw new IllegalStateException("the log has events already");
        }
        long newest = recent.isEmpty() ? lastOffset : offsetOf(recent.getLast());
        if (newest > lastOffset) {
            throw new IllegalArgumentException(recent.size() + " events ending at offset " + newest
                    + " cannot continue at offset " + lastOffset);
        }
        this.lastOffset = lastOffset;
        long oldestKept = lastOffset + 1;
        for (int i = recent.size() - 1; i >= 0; i--) {
            long offset = offsetOf(recent.get(i)); // each at its own offset: there may be gaps between them
            if (offset <= lastOffset - ring.length || offset <= 0) {
                break; // older than the ring reaches from lastOffset
            }
            ring[slot(offset)] = recent.get(i);
            oldestKept = Math.min(oldestKept, offset);
        }
        kept = (int) Math.min(ring.length, lastOffset - oldestKept + 1);
    }

    /** Encoded events after {@code offset}, oldest first; events lost in a takeover's gap are skipped. */
    List<byte[]> after(long offset) {
        long first = Math.max(Math.max(offset, 0) + 1, lastOffset - kept + 1);
        List<byte[]> events = new ArrayList<>((int) Math.max(0, lastOffset - first + 1));
        for (long o = first; o <= lastOffset; o++) {
            byte[] event = ring[slot(o)];
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    private static long offsetOf(byte[] encodedEvent) {
        try {
            return ServerFrame.parseFrom(encodedEvent).getEvent().getOffset();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an encoded event", e);
        }
    }

    /** The offset of the newest event; 0 before the first. */
    long lastOffset() {
        return lastOffset;
    }

    private int slot(long offset) {
        return (int) (offset % ring.length);
    }
}
