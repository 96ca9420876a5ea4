package io.roomcast.gateway.cluster.redis;

import java.time.Instant;

/**
 * The wall clock in microseconds since the epoch, read without an allocation: {@code System.currentTimeMillis}
 * is too coarse for a hop that takes a fraction of a millisecond on one host, and {@link Instant#now()}
 * allocates its Instant on every read (24 B: JDK 25 does not scalar-replace it), once per publish
 * and per room frame received. So {@code System.nanoTime()} counts on from a base taken from
 * {@code Instant.now()} at most a second ago: a step or a slewing of the wall clock shows within a
 * second. For the pub/sub lag's stamps ({@code RoomFrame.sent_at_us}). Thread-safe.
 */
public final class WallClockMicros {

    private static final long REBASE_NANOS = 1_000_000_000L;

    private record Base(long wallMicros, long nanos) {}

    private static volatile Base base = rebase();

    private WallClockMicros() {}

    public static long now() {
        long nanos = System.nanoTime();
        Base current = base;
        if (nanos - current.nanos() >= REBASE_NANOS) {
            current = rebase(); // two threads may both rebase: either base is right
            base = current;
            nanos = current.nanos();
        }
        return current.wallMicros() + (nanos - current.nanos()) / 1_000;
    }

    private static Base rebase() {
        Instant now = Instant.now();
        return new Base(now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000, System.nanoTime());
    }
}
