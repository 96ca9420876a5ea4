package io.roomcast.core.loop;

/**
 * Runs a task later, on the thread that owns the room. The gateway backs it with a shared
 * timer that hands the task to the room's serial executor; tests use a fake one.
 */
public interface TickScheduler {

    /** Run {@code task} after {@code delayNanos} (0 or less: as soon as possible). */
    Cancellable schedule(Runnable task, long delayNanos);

    interface Cancellable {
        void cancel();
    }
}
