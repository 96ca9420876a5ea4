package io.roomcast.gateway.ws;

import io.roomcast.gateway.ws.wire.WireFrame;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A socket's queue of frames: what a gathering write is handed, and what a partial write leaves. */
class SendQueueTest {

    private static WireFrame frame(int payloadBytes) {
        return WireFrame.binary(new byte[payloadBytes], false, io.roomcast.proto.v1.ServerFrame.BodyCase.EVENT, 2);
    }

    @Test
    void aPartialWriteLeavesTheRestOfTheHeadFrameAndFullyWrittenFramesAreReportedOnce() {
        SendQueue queue = new SendQueue();
        // A frame is queued once per socket (views are per I/O thread), so each entry is its own frame.
        WireFrame first = frame(10);
        WireFrame second = frame(20);
        queue.add(first);
        queue.add(second);
        for (int i = 0; i < 2; i++) { // past the initial ring of 4: it grows and keeps the order
            queue.add(frame(10));
            queue.add(frame(20));
        }
        ByteBuffer[] vector = new ByteBuffer[4];
        assertEquals(4, queue.fill(vector, 0), "as many frames as the vector holds");
        assertEquals(first.wireLength(), vector[0].remaining());
        assertEquals(second.wireLength(), vector[1].remaining());

        long written = first.wireLength() + 5;
        assertEquals(first.wireLength(), queue.consume(written), "one frame fully written");
        assertEquals(4, queue.fill(vector, 0));
        assertEquals(second.wireLength() - 5, vector[0].remaining(), "the head resumes where the kernel stopped");

        long pair = first.wireLength() + second.wireLength();
        assertEquals(second.wireLength() + 2 * pair, queue.consume(second.wireLength() - 5 + 2 * pair),
                "the rest of the head and both later pairs");
        assertTrue(queue.isEmpty());
    }

    @Test
    void clearForgetsEverything() {
        SendQueue queue = new SendQueue();
        queue.add(frame(3));
        queue.consume(1);
        queue.clear();
        assertTrue(queue.isEmpty());
        queue.add(frame(3));
        assertFalse(queue.isEmpty());
        ByteBuffer[] vector = new ByteBuffer[2];
        assertEquals(1, queue.fill(vector, 0));
        assertEquals(frame(3).wireLength(), vector[0].remaining(), "a new head starts at its first byte");
    }

    @Test
    void droppingAllButTheHeadKeepsAPartlyWrittenFrameAndReportsWhatWentSoAFrameAddedNextIsWrittenNext() {
        SendQueue queue = new SendQueue();
        WireFrame head = frame(10);
        WireFrame second = frame(20);
        WireFrame third = frame(30);
        queue.add(head);
        queue.add(second);
        queue.add(third);
        queue.consume(3); // the head is on its way
        assertEquals(second.wireLength() + third.wireLength(), queue.dropAllButHead());
        WireFrame close = WireFrame.close(4008, "slow consumer");
        queue.add(close);
        ByteBuffer[] vector = new ByteBuffer[4];
        assertEquals(2, queue.fill(vector, 0), "the rest of the head, then the close");
        assertEquals(head.wireLength() - 3, vector[0].remaining());
        assertEquals(close.wireLength(), vector[1].remaining());
    }
}
