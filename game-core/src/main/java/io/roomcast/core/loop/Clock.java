package io.roomcast.core.loop;

/** Time as the framework sees it; a fake one makes rooms deterministic in tests. */
public interface Clock {

    /** Monotonic nanoseconds, for pacing ticks. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, for timestamps sent to clients. */
    long currentTimeMillis();

    Clock SYSTEM = new Clock() {
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
