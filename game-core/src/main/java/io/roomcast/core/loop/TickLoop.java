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
    private final TickGrid grid;
    private final int maxCatchUpTicks;
    private final LongConsumer onTick;

    private boolean started;
    private boolean running;
    private long originNanos;
    private long ticks;
    private long skippedTicks;
    private TickScheduler.Cancellable wakeUp;

    /**
     * @param grid   where the ticks fall on the wall clock
     * @param onTick called with the tick number (1, 2, 3, ..., or on from {@link #continueAfter};
     *               skipped ticks use no number)
     */
    public TickLoop(Clock clock, TickScheduler scheduler, TickGrid grid, int maxCatchUpTicks,
                    LongConsumer onTick) {
        if (maxCatchUpTicks <= 0) {
            throw new IllegalArgumentException("maxCatchUpTicks must be > 0, was " + maxCatchUpTicks);
        }
        this.clock = clock;
        this.scheduler = scheduler;
        this.grid = grid;
        this.maxCatchUpTicks = maxCatchUpTicks;
        this.onTick = onTick;
    }

    /**
     * Before {@link #start}: numbers the ticks on from {@code lastTick} instead of from 0, so the
     * first tick is {@code lastTick + 1} (a room taken over by another node keeps its numbering).
     */
    public void continueAfter(long lastTick) {
        if (started) {
            throw new IllegalStateException("tick loop already started");
        }
        if (lastTick < 0) {
            throw new IllegalArgumentException("lastTick must be >= 0, was " + lastTick);
        }
        ticks = lastTick;
    }

    /**
     * Starts ticking. The first tick is due at the next point of the grid on the wall clock (at most
     * one period from now), so every loop with the same grid ticks at the same instants: in a
     * process their ticks share the scheduler's wake-ups and their output leaves in one burst (one
     * wake-up of each I/O and Redis thread per burst instead of one per room); across nodes, a node
     * sends the inputs for rooms another node owns just before their ticks, in one message.
     */
    public void start() {
        if (started) {
            throw new IllegalStateException("tick loop already started");
        }
        started = true;
        running = true;
        // Tick n is due at origin + n * period: the next one, ticks + 1, at the next grid point.
        originNanos = grid.nextPoint(clock) - (ticks + 1) * grid.periodNanos();
        scheduleNextWakeUp();
    }

    /** Where this loop's ticks fall (a Joined tells the room's players and their nodes). */
    public TickGrid grid() {
        return grid;
    }

    /** No tick runs after this returns, including the rest of a catch-up run it is called from. */
    public void stop() {
        running = false;
        if (wakeUp != null) {
            wakeUp.cancel();
            wakeUp = null;
        }
    }

    /** The number of the last tick run: 0 before the first (or the tick {@link #continueAfter} set). */
    public long ticks() {
        return ticks;
    }

    public long skippedTicks() {
        return skippedTicks;
    }

    /**
     * When tick {@code tick} was due on this loop's clock: its place on the fixed grid. Called from
     * the tick callback with the tick it was given, it tells how late that tick started. Ticks
     * skipped after a long stall move the grid, so a tick after a skip is measured against its
     * own due time, not the skipped ones'.
     */
    public long dueNanos(long tick) {
        return originNanos + tick * grid.periodNanos();
    }

    private void wakeUp() {
        wakeUp = null;
        if (!running) {
            return;
        }
        long due = Math.floorDiv(clock.nanoTime() - originNanos, grid.periodNanos()) - ticks;
        if (due > maxCatchUpTicks) {
            long skip = due - maxCatchUpTicks;
            skippedTicks += skip;
            originNanos += skip * grid.periodNanos();
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
        long nextDue = originNanos + (ticks + 1) * grid.periodNanos();
        wakeUp = scheduler.schedule(this::wakeUp, nextDue - clock.nanoTime());
    }
}
