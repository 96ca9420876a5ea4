package io.roomcast.core.loop;

import java.util.function.LongConsumer;

/**
 * A fixed-timestep loop: tick {@code n} is due at {@code origin + n * period}, so late wake-ups
 * never accumulate into drift. Each wake-up runs the ticks that are due, at most
 * {@code maxCatchUpTicks} back to back; when further behind, the oldest due ticks are skipped
 * (counted, and the origin moves forward) instead of running an ever-growing backlog.
 *
 * <p>An exception thrown by the tick callback propagates to the scheduler (which logs and counts
 * it), ends that wake-up's catch-up run, and the loop goes on: one faulty tick does not freeze
 * a room with its players in it.
 *
 * <p>Threading: confined to the scheduler's thread; {@link #start} and {@link #stop} must be
 * called there too.
 */
public final class TickLoop {

    private final Clock clock;
    private final TickScheduler scheduler;
    private final long periodNanos;
    private final int maxCatchUpTicks;
    private final LongConsumer onTick;

    private boolean running;
    private long originNanos;
    private long ticks;
    private long skippedTicks;
    private TickScheduler.Cancellable wakeUp;

    /**
     * @param onTick called with the tick number (1, 2, 3, ...; skipped ticks use no number)
     */
    public TickLoop(Clock clock, TickScheduler scheduler, long periodNanos, int maxCatchUpTicks,
                    LongConsumer onTick) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("periodNanos must be > 0, was " + periodNanos);
        }
        if (maxCatchUpTicks <= 0) {
            throw new IllegalArgumentException("maxCatchUpTicks must be > 0, was " + maxCatchUpTicks);
        }
        this.clock = clock;
        this.scheduler = scheduler;
        this.periodNanos = periodNanos;
        this.maxCatchUpTicks = maxCatchUpTicks;
        this.onTick = onTick;
    }

    /** Starts ticking: the first tick is due one period from now. */
    public void start() {
        if (running || ticks > 0) {
            throw new IllegalStateException("tick loop already started");
        }
        running = true;
        originNanos = clock.nanoTime();
        scheduleNextWakeUp();
    }

    /** No tick runs after this returns, including the rest of a catch-up run it is called from. */
    public void stop() {
        running = false;
        if (wakeUp != null) {
            wakeUp.cancel();
            wakeUp = null;
        }
    }

    /** The ticks run so far, which is also the number of the last tick. */
    public long ticks() {
        return ticks;
    }

    public long skippedTicks() {
        return skippedTicks;
    }

    private void wakeUp() {
        wakeUp = null;
        if (!running) {
            return;
        }
        long due = Math.floorDiv(clock.nanoTime() - originNanos, periodNanos) - ticks;
        if (due > maxCatchUpTicks) {
            long skip = due - maxCatchUpTicks;
            skippedTicks += skip;
            originNanos += skip * periodNanos;
            due = maxCatchUpTicks;
        }
        try {
            for (long i = 0; i < due && running; i++) {
                ticks++;
                onTick.accept(ticks);
            }
        } finally {
            if (running) {
                scheduleNextWakeUp();
            }
        }
    }

    private void scheduleNextWakeUp() {
        long nextDue = originNanos + (ticks + 1) * periodNanos;
        wakeUp = scheduler.schedule(this::wakeUp, nextDue - clock.nanoTime());
    }
}
