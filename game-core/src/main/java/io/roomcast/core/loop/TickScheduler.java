package io.roomcast.core.loop;

/**
 * Runs a task later, on the thread that owns the room. The gateway backs it with a shared
 * timer that hands the task to the room's serial executor; tests use a fake one.
 */
public interface TickScheduler {

    /** Run {@code task} after {@code delayNanos} (0 or less: as soon as possible). */
    Cancellable schedule(Runnable task, long delayNanos);

    /**
     * Whether the calling thread is the room's own (running one of its tasks). The runtime
     * asserts it at every entry point (with {@code -ea}, as in tests): a call from another thread
     * is a bug in the host, not in the game. Schedulers that cannot tell answer true.
     */
    default boolean isOnRoomThread() {
        return true;
    }

    interface Cancellable {
        void cancel();
    }
}
