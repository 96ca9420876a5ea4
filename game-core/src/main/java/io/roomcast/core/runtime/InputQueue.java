package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Players' inputs waiting for the next tick, in arrival order, at most {@code capacity}; an
 * input offered to a full queue is dropped.
 *
 * <p>Threading: {@link #offer} from any thread; {@link #drain} on the room's thread only.
 */
final class InputQueue {

    record QueuedInput(String playerId, int seq, ByteString payload) {}

    private final Queue<QueuedInput> queue = new ConcurrentLinkedQueue<>();
    // Counts reservations, so it may briefly run ahead of the queue: never behind it.
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    InputQueue(int capacity) {
        this.capacity = capacity;
    }

    /** False, and the input is dropped, when {@code capacity} inputs are waiting already. */
    boolean offer(QueuedInput input) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        queue.add(input);
        return true;
    }

    /** Hands the waiting inputs to {@code consumer}, oldest first; later arrivals wait for the next drain. */
    void drain(Consumer<QueuedInput> consumer) {
        for (int n = size.get(); n > 0; n--) {
            QueuedInput input = queue.poll();
            if (input == null) {
                return;
            }
            size.decrementAndGet();
            consumer.accept(input);
        }
    }
}
