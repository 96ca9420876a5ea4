package io.roomcast.gateway.hosting;

import io.roomcast.gateway.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: a room's thread without a
 * thread per room. Thread-safe to submit to; the tasks themselves never run concurrently, and
 * each task sees everything the previous one wrote.
 *
 * <p>Requests from players go through {@link #tryExecute}, bounded by {@code maxQueued}; the
 * framework's own tasks (ticks, leaves, closing) through {@link #execute}, never refused. It
 * also says whether a task has been running too long ({@link #stalledFor}): the stall watchdog
 * asks before renewing the room's lease.
 */
public final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
    /** Tasks run per turn before yielding the pool thread to other rooms. */
    private static final int TASKS_PER_TURN = 64;
    private static final long IDLE = Long.MIN_VALUE;

    private final Executor pool;
    private final String roomId; // the MDC's room around each turn; null: none
    private final Consumer<Throwable> errors;
    private final int maxQueued;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Thread runningOn;
    private volatile long taskStartedNanos = IDLE;

    /** @param maxQueued tasks waiting beyond which {@link #tryExecute} refuses */
    public SerialExecutor(Executor pool, int maxQueued, Consumer<Throwable> errors) {
        this(pool, null, maxQueued, errors);
    }

    /** As above, every task's log lines tagged with {@code roomId} ({@link LogContext#ROOM}). */
    public SerialExecutor(Executor pool, String roomId, int maxQueued, Consumer<Throwable> errors) {
        this.pool = pool;
        this.roomId = roomId;
        this.maxQueued = maxQueued;
        this.errors = errors;
    }

    /** Queues a task that must run (a tick, a leave, closing the room). */
    @Override
    public void execute(Runnable task) {
        queued.incrementAndGet();
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            pool.execute(this::runTurn);
        }
    }

    /** Queues a player's request unless {@code maxQueued} tasks are waiting already; false if refused. */
    public boolean tryExecute(Runnable task) {
        if (queued.get() >= maxQueued) {
            return false;
        }
        execute(task);
        return true;
    }

    /** Whether the calling thread is running one of this executor's tasks. */
    public boolean isCurrentThread() {
        return runningOn == Thread.currentThread();
    }

    /** How long the task running now has run at {@code nowNanos}; 0 when none runs. */
    public long stalledFor(long nowNanos) {
        long started = taskStartedNanos;
        return started == IDLE ? 0 : Math.max(0, nowNanos - started);
    }

    private void runTurn() {
        runningOn = Thread.currentThread();
        // The room's id in the MDC once per turn (up to TASKS_PER_TURN tasks), not per task; what
        // was there before (a turn run inline by another room's task, in tests) comes back after.
        String outer = roomId == null ? null : MDC.get(LogContext.ROOM);
        if (roomId != null) {
            MDC.put(LogContext.ROOM, roomId);
        }
        try {
            for (int i = 0; i < TASKS_PER_TURN; i++) {
                Runnable task = tasks.poll();
                if (task == null) {
                    break;
                }
                queued.decrementAndGet();
                taskStartedNanos = System.nanoTime();
                try {
                    task.run();
                } catch (Throwable e) {
                    log.error("room task failed", e);
                    errors.accept(e);
                } finally {
                    taskStartedNanos = IDLE;
                }
            }
        } finally {
            runningOn = null;
            if (roomId != null) {
                if (outer == null) {
                    MDC.remove(LogContext.ROOM);
                } else {
                    MDC.put(LogContext.ROOM, outer);
                }
            }
        }
        scheduled.set(false);
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            pool.execute(this::runTurn);
        }
    }
}
