package io.roomcast.core.loop;

/** Time as the framework sees it; a fake one makes rooms deterministic in tests. */
public interface Clock {

    /** Monotonic nanoseconds, for pacing ticks. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, for timestamps sent to clients. */
    long currentTimeMillis();

    /**
     * Wall-clock nanoseconds since the epoch minus {@link #nanoTime}, taken once for the clock:
     * tick grids are laid on the wall clock with it ({@link TickGrid#nextPoint}), so every
     * node of a cluster ticks a tick rate at the same instants (within the machines' clock skew),
     * and a node can time what it sends to the ticks of rooms another node owns. 0 (the default,
     * a fake clock's): the grid is {@code nanoTime}'s own.
     */
    default long wallOffsetNanos() {
        return 0;
    }

    Clock SYSTEM = new Clock() {
        /** Once per process: every room's grid is the same one, whatever NTP does to the wall clock later. */
        private final long wallOffset = measureWallOffset();

        private static long measureWallOffset() {
            java.time.Instant wall = java.time.Instant.now();
            long nanos = System.nanoTime();
            return wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - nanos;
        }

        @Override
        public long wallOffsetNanos() {
            return wallOffset;
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };
}
