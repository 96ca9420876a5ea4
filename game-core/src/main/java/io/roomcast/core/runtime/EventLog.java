package io.roomcast.core.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.proto.v1.ServerFrame;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
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
     * {@code recent} (encoded events that carry their offsets, in any order, repeats allowed: a
     * snapshot's events and those logged since), keeping the newest of them when they do not all
     * fit. {@code lastOffset} may be past the newest of them: offsets a former owner gave out and
     * that were lost with it are never given out again, and are a gap in the log that a replay skips.
     */
    void restore(long lastOffset, List<byte[]> recent) {
        if (this.lastOffset != 0) {
            throw new IllegalStateException("the log has events already");
        }
        TreeMap<Long, byte[]> byOffset = byOffset(recent);
        long newest = byOffset.isEmpty() ? lastOffset : byOffset.lastKey();
        if (newest > lastOffset) {
            throw new IllegalArgumentException(recent.size() + " events ending at offset " + newest
                    + " cannot continue at offset " + lastOffset);
        }
        this.lastOffset = lastOffset;
        long oldestKept = lastOffset + 1;
        for (var event : byOffset.tailMap(lastOffset - ring.length, false).entrySet()) {
            ring[slot(event.getKey())] = event.getValue();
            oldestKept = Math.min(oldestKept, event.getKey());
        }
        kept = (int) Math.min(ring.length, lastOffset - oldestKept + 1);
    }

    /**
     * Offsets up to {@code offset} were given out (a player saw them), though this log never had
     * them — a former owner gave them out and died before they were stored: they are a gap, and
     * never given out again. At most {@link #capacity()} past the log's position: a resume's cursor
     * comes from the client. Returns whether the log moved.
     */
    boolean passOver(long offset) {
        long target = Math.min(offset, lastOffset + ring.length);
        if (target <= lastOffset) {
            return false;
        }
        for (long o = lastOffset + 1; o <= target; o++) {
            ring[slot(o)] = null; // a gap: replays skip it
        }
        kept = (int) Math.min(ring.length, kept + (target - lastOffset));
        lastOffset = target;
        return true;
    }

    int capacity() {
        return ring.length;
    }

    /** The highest offset among encoded events (0 for none): where a log holding them is at least. */
    static long newestOffset(List<byte[]> events) {
        TreeMap<Long, byte[]> byOffset = byOffset(events);
        return byOffset.isEmpty() ? 0 : byOffset.lastKey();
    }

    private static TreeMap<Long, byte[]> byOffset(List<byte[]> events) {
        TreeMap<Long, byte[]> byOffset = new TreeMap<>();
        for (byte[] event : events) {
            long offset = offsetOf(event);
            if (offset > 0) {
                byOffset.put(offset, event);
            }
        }
        return byOffset;
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
