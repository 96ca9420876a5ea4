package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;
import io.roomcast.core.runtime.InputQueue.QueuedInput;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputQueueTest {

    private static QueuedInput input(int seq) {
        return new QueuedInput("alice", seq, ByteString.EMPTY);
    }

    private static List<Integer> drainSeqs(InputQueue queue) {
        List<Integer> seqs = new ArrayList<>();
        queue.drain(input -> seqs.add(input.seq()));
        return seqs;
    }

    @Test
    void aBoundThatIsNotAPowerOfTwoIsKeptExactly() {
        InputQueue queue = new InputQueue(5);
        for (int seq = 1; seq <= 5; seq++) {
            assertTrue(queue.offer(input(seq)), "input " + seq + " fits");
        }
        assertFalse(queue.offer(input(6)), "the sixth input is dropped");
        assertEquals(List.of(1, 2, 3, 4, 5), drainSeqs(queue));
        assertTrue(queue.offer(input(7)), "a drained queue takes inputs again");
        assertEquals(List.of(7), drainSeqs(queue));
    }

    @Test
    void anInputOfferedWhileTheRoomDrainsWaitsForTheNextDrain() {
        InputQueue queue = new InputQueue(16);
        queue.offer(input(1));
        queue.offer(input(2));
        List<Integer> seen = new ArrayList<>();
        queue.drain(input -> {
            seen.add(input.seq());
            queue.offer(input(input.seq() + 10)); // arrives during this tick's drain
        });
        assertEquals(List.of(1, 2), seen);
        assertEquals(List.of(11, 12), drainSeqs(queue));
    }
}
