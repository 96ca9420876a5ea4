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
        // The wall clock read between two nanoTime readings, the closest pair of a few tries: a
        // single pair taken once was off by the time between its two calls, and a stall there (a
        // JVM still starting, a busy machine) once put every tick-to-client sample of a run below 0.
        long bestGap = Long.MAX_VALUE;
        long nanos = 0;
        long micros = 0;
        for (int i = 0; i < 20; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            if (after - before < bestGap) {
                bestGap = after - before;
                nanos = before + (after - before) / 2;
                micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
            }
        }
        this.anchorNanos = nanos;
        this.anchorMicros = micros;
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
