package io.roomcast.bots;

import java.time.Instant;

/**
 * Wall-clock time in microseconds since the epoch, without allocating: anchored once to
 * {@link Instant#now()} and advanced by {@link System#nanoTime()}. Latencies are differences
 * of wall-clock stamps because the two ends may be different processes on one machine (the
 * server's {@code State.server_time_ms}, another generator): {@code nanoTime} is not
 * comparable across processes, the wall clock is. Over a run of minutes the anchor drifts from
 * the system clock by far less than the microsecond resolution matters.
 *
 * <p>Threading: immutable, safe from any thread.
 */
public final class WallClock {

    private final long anchorMicros;
    private final long anchorNanos;

    public WallClock() {
        Instant now = Instant.now();
        this.anchorNanos = System.nanoTime();
        this.anchorMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Now, in microseconds since the epoch. */
    public long micros() {
        return anchorMicros + (System.nanoTime() - anchorNanos) / 1_000;
    }

    /** The wall-clock time, in microseconds, of a {@link System#nanoTime()} reading. */
    public long microsAt(long nanoTime) {
        return anchorMicros + (nanoTime - anchorNanos) / 1_000;
    }
}
