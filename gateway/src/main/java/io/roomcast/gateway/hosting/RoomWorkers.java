package io.roomcast.gateway.hosting;

import io.roomcast.core.loop.TickScheduler;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads rooms run on: a small pool shared by every room's {@link SerialExecutor}, and one
 * timer thread that only hands due tasks to executors or sends asynchronous commands (ticks,
 * seat expiry, input batches, join timeouts, the maintenance pass). Thread-safe.
 */
public final class RoomWorkers implements AutoCloseable {

    private final ExecutorService pool;
    private final ScheduledExecutorService timer;

    public RoomWorkers(int threads) {
        this.pool = Executors.newFixedThreadPool(threads, daemonThreads("room-worker-"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("room-timer-"));
    }

    public ExecutorService pool() {
        return pool;
    }

    public ScheduledExecutorService timer() {
        return timer;
    }

    /** A {@link TickScheduler} whose tasks run on {@code room}'s serial executor. */
    public TickScheduler schedulerFor(SerialExecutor room) {
        return new TickScheduler() {
            @Override
            public Cancellable schedule(Runnable task, long delayNanos) {
                ScheduledFuture<?> due = timer.schedule(() -> room.execute(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
                return () -> due.cancel(false);
            }

            @Override
            public boolean isOnRoomThread() {
                return room.isCurrentThread();
            }
        };
    }

    @Override
    public void close() {
        timer.shutdownNow();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(2, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
