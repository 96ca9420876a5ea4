package io.roomcast.gateway.hosting;

import io.roomcast.core.loop.Clock;
import io.roomcast.core.loop.TickScheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands the rooms' wake-ups due at one instant to the room workers in one go. Every room on a
 * tick grid asks for its next wake-up at the very same {@code nanoTime} (the grid's next point),
 * so instead of one timer entry and one pool hand-off per room, the wake-ups due at one instant
 * share one timer entry, which queues each room's task on its serial executor and runs the turns
 * it claimed in one pool task: a node with 25 rooms on a phase takes one timer entry and one
 * worker wake-up per phase instead of 25 of each, and the rooms' ticks run back to back on a warm
 * thread (docs/architecture.md, "Tick phases").
 *
 * <p>A worker that has run a batch's turns for longer than {@code helpAfterNanos} calls in
 * another pool thread (up to the pool's size) to take the rest: rooms with heavy ticks are not
 * queued behind each other on one core while the others idle.
 *
 * <p>Each room stays single-threaded: a turn is run by whoever claimed it
 * ({@link SerialExecutor#queueClaimingTurn}), once. One clock per node: due times of different
 * clocks would share batches. Thread-safe.
 */
final class DueTicks {

    /** How long one worker runs a batch's turns alone before it calls in another. */
    static final long HELP_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ScheduledExecutorService timer;
    private final Executor pool;
    private final int poolThreads;
    private final long helpAfterNanos;
    private final Map<Long, Batch> pending = new HashMap<>(); // by due time; guarded by itself

    DueTicks(ScheduledExecutorService timer, Executor pool, int poolThreads, long helpAfterNanos) {
        this.timer = timer;
        this.pool = pool;
        this.poolThreads = poolThreads;
        this.helpAfterNanos = helpAfterNanos;
    }

    /** Runs {@code task} on {@code room}'s executor at {@code dueNanos} on {@code clock}. */
    TickScheduler.Cancellable schedule(SerialExecutor room, Runnable task, long dueNanos, Clock clock) {
        Entry entry = new Entry(room, task);
        synchronized (pending) {
            Batch batch = pending.get(dueNanos);
            if (batch == null) {
                batch = new Batch(dueNanos);
                pending.put(dueNanos, batch);
                timer.schedule(batch, Math.max(0, dueNanos - clock.nanoTime()), TimeUnit.NANOSECONDS);
            }
            batch.entries.add(entry);
        }
        return entry;
    }

    private static final class Entry implements TickScheduler.Cancellable {
        final SerialExecutor room;
        final Runnable task;
        volatile boolean cancelled;

        Entry(SerialExecutor room, Runnable task) {
            this.room = room;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    /** The wake-ups due at one instant; runs on the timer thread when it is due. */
    private final class Batch implements Runnable {
        final long dueNanos;
        final List<Entry> entries = new ArrayList<>(); // added to only while in pending

        Batch(long dueNanos) {
            this.dueNanos = dueNanos;
        }

        @Override
        public void run() {
            synchronized (pending) {
                pending.remove(dueNanos); // a wake-up asked for this instant from now on gets a batch of its own
            }
            Runnable[] turns = new Runnable[entries.size()];
            int claimed = 0;
            for (Entry entry : entries) {
                if (!entry.cancelled) {
                    Runnable turn = entry.room.queueClaimingTurn(entry.task);
                    if (turn != null) {
                        turns[claimed++] = turn;
                    }
                }
            }
            if (claimed > 0) {
                pool.execute(new Turns(turns, claimed));
            }
        }
    }

    /** Claimed turns, run in order by one worker, or by a few once the first has run long. */
    private final class Turns implements Runnable {
        private final Runnable[] turns;
        private final int count;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger helpers = new AtomicInteger();

        Turns(Runnable[] turns, int count) {
            this.turns = turns;
            this.count = count;
        }

        @Override
        public void run() {
            long started = System.nanoTime();
            boolean askedForHelp = false;
            int i;
            while ((i = next.getAndIncrement()) < count) {
                turns[i].run(); // a turn catches its tasks' failures itself
                if (!askedForHelp && i + 1 < count && System.nanoTime() - started > helpAfterNanos) {
                    askedForHelp = true;
                    if (helpers.getAndIncrement() < poolThreads - 1) {
                        pool.execute(this);
                    }
                }
            }
        }
    }
}
