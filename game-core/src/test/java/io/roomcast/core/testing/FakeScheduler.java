package io.roomcast.core.testing;

import io.roomcast.core.loop.TickScheduler;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A {@link TickScheduler} on a {@link FakeClock}: tasks run only inside {@link #advance}, in
 * due-time order (ties in scheduling order), each with the clock set to its due time.
 *
 * <p>Threading: {@code schedule} and {@code cancel} from any thread; tasks run on the thread
 * that calls {@link #advance} or {@link #runDue}.
 */
public final class FakeScheduler implements TickScheduler {

    private record Task(long dueNanos, long order, Runnable body) {}

    private final FakeClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparingLong(Task::dueNanos).thenComparingLong(Task::order));
    private long scheduled;

    public FakeScheduler(FakeClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task entry = new Task(clock.nanoTime() + Math.max(0, delayNanos), scheduled++, task);
        tasks.add(entry);
        return () -> cancel(entry);
    }

    /**
     * Moves the clock forward by {@code duration}, running every task that falls due on the
     * way, including tasks scheduled by the tasks it runs.
     */
    public void advance(Duration duration) {
        long target = clock.nanoTime() + duration.toNanos();
        Task task;
        while ((task = pollDueBy(target)) != null) {
            clock.advanceNanos(Math.max(0, task.dueNanos() - clock.nanoTime()));
            task.body().run();
        }
        clock.advanceNanos(Math.max(0, target - clock.nanoTime()));
    }

    /** Runs the tasks due now (after the clock was moved directly, e.g. to fake a stall). */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    private synchronized Task pollDueBy(long nanos) {
        Task next = tasks.peek();
        return next != null && next.dueNanos() <= nanos ? tasks.poll() : null;
    }

    private synchronized void cancel(Task task) {
        tasks.remove(task);
    }
}
