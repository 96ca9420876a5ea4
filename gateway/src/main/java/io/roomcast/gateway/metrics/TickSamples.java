package io.roomcast.gateway.metrics;

import java.util.Arrays;

/**
 * The durations of one room's last {@link #SIZE} ticks, for the admin page's per-room tick p99: a
 * ring of microseconds written by the room's thread at the end of each tick (no allocation, no
 * lock) and read by any thread. A reader racing a tick may see a slot already overwritten by that
 * newer tick: its figure mixes the last {@link #SIZE} ticks and the one just run, nothing older.
 */
public final class TickSamples {

    /** Ticks kept: 12.8 s of a 20 Hz room, 256 s of a 1 Hz one. A power of two. */
    public static final int SIZE = 256;

    /** A p99 over {@code samples} ticks; {@code samples} 0: no tick yet, and no figure. */
    public record Percentile(long micros, int samples) {}

    private final int[] micros = new int[SIZE];
    private volatile long count; // written by the room's thread only; publishes the slot written before it

    /** The room's thread: a tick took {@code nanos}. */
    public void record(long nanos) {
        long n = count;
        micros[(int) (n & (SIZE - 1))] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, nanos / 1000));
        count = n + 1;
    }

    /** Any thread: the 99th percentile (nearest rank) of the ticks kept. Allocates a copy. */
    public Percentile p99() {
        int kept = (int) Math.min(count, SIZE); // before the count reached SIZE, slots 0..count-1 are the ticks
        if (kept == 0) {
            return new Percentile(0, 0);
        }
        int[] sorted = Arrays.copyOf(micros, kept);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(0.99 * kept); // 1-based
        return new Percentile(sorted[rank - 1], kept);
    }
}
