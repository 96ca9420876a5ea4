package io.roomcast.core.loop;

/**
 * Runs a task later, on the thread that owns the room. The gateway backs it with a shared
 * timer that hands the task to the room's serial executor; tests use a fake one.
 *
 * <p>Due times are absolute, on the {@link Clock#nanoTime} of the loop that asks: loops on one
 * grid ask for the very same instant, so a scheduler can hand all of them over in one wake-up.
 */
public interface TickScheduler {

    /** Run {@code task} at {@code dueNanos} on the loop's clock (already past: as soon as possible). */
    Cancellable scheduleAt(Runnable task, long dueNanos);

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
