package io.roomcast.core.testing;

import io.roomcast.core.loop.Clock;

import java.time.Duration;

/**
 * A {@link Clock} that moves only when told. Wall-clock time follows the monotonic time
 * (millisecond for millisecond) unless {@link #setCurrentTimeMillis set} apart.
 *
 * <p>Threading: safe to read from any thread; move it from one thread at a time (usually
 * through {@link FakeScheduler#advance}).
 */
public final class FakeClock implements Clock {

    /** 2026-01-01T00:00:00Z, the default wall-clock start. */
    public static final long DEFAULT_START_MILLIS = 1_767_225_600_000L;

    private volatile long nanos;
    private volatile long millisAtNanoZero;
    private volatile long wallOffsetNanos; // 0: the tick grid is nanoTime's own

    public FakeClock() {
        this(DEFAULT_START_MILLIS);
    }

    public FakeClock(long startMillis) {
        this.millisAtNanoZero = startMillis;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long currentTimeMillis() {
        return millisAtNanoZero + Math.floorDiv(nanos, 1_000_000L);
    }

    @Override
    public long wallOffsetNanos() {
        return wallOffsetNanos;
    }

    /** Where tick grids are laid ({@link Clock#wallOffsetNanos}); 0 until set. */
    public void setWallOffsetNanos(long offset) {
        this.wallOffsetNanos = offset;
    }

    /** Moves both clocks forward. Use {@link FakeScheduler#advance} to also run what falls due. */
    public void advance(Duration duration) {
        advanceNanos(duration.toNanos());
    }

    public void advanceNanos(long delta) {
        if (delta < 0) {
            throw new IllegalArgumentException("a monotonic clock does not go back: " + delta);
        }
        nanos += delta;
    }

    /** Steps the wall clock (as NTP might), leaving the monotonic clock where it is. */
    public void setCurrentTimeMillis(long millis) {
        millisAtNanoZero = millis - Math.floorDiv(nanos, 1_000_000L);
    }
}
