package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

import java.util.function.Consumer;

/**
 * Players' inputs waiting for the next tick, in arrival order, at most {@code capacity}; an
 * input offered to a full queue is dropped.
 *
 * <p>A bounded multi-producer single-consumer ring (JCTools): an offer is one CAS on the
 * producers' index and allocates nothing beyond the input itself (the linked queue it replaces
 * allocated a node per input and kept a second atomic counter for the bound).
 *
 * <p>Threading: {@link #offer} from any thread; {@link #drain} on the room's thread only.
 */
final class InputQueue {

    record QueuedInput(String playerId, int seq, ByteString payload) {}

    private final MpscVarHandleArrayQueue<QueuedInput> queue;
    private final int capacity;

    InputQueue(int capacity) {
        // The ring's size is a power of two; the bound is kept exactly by offerIfBelowThreshold.
        this.queue = new MpscVarHandleArrayQueue<>(capacity);
        this.capacity = capacity;
    }

    /** False, and the input is dropped, when {@code capacity} inputs are waiting already. */
    boolean offer(QueuedInput input) {
        return queue.offerIfBelowThreshold(input, capacity);
    }

    /** Hands the waiting inputs to {@code consumer}, oldest first; later arrivals wait for the next drain. */
    void drain(Consumer<QueuedInput> consumer) {
        queue.drain(consumer::accept, queue.size());
    }
}
