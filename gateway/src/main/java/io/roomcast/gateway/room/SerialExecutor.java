package io.roomcast.gateway.room;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: a room's thread without a
 * thread per room. Thread-safe to submit to; the tasks themselves never run concurrently, and
 * each task sees everything the previous one wrote.
 */
public final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
    /** Tasks run per turn before yielding the pool thread to other rooms. */
    private static final int TASKS_PER_TURN = 64;

    private final Executor pool;
    private final Consumer<Throwable> errors;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    public SerialExecutor(Executor pool, Consumer<Throwable> errors) {
        this.pool = pool;
        this.errors = errors;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            pool.execute(this::runTurn);
        }
    }

    private void runTurn() {
        for (int i = 0; i < TASKS_PER_TURN; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                break;
            }
            try {
                task.run();
            } catch (Throwable e) {
                log.error("room task failed", e);
                errors.accept(e);
            }
        }
        scheduled.set(false);
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            pool.execute(this::runTurn);
        }
    }
}
