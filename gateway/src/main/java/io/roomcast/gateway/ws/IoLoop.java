package io.roomcast.gateway.ws;

import io.roomcast.gateway.ws.wire.WireFrame;
import org.xnio.XnioIoThread;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one XNIO I/O thread owns for its sockets: the outbox through which every other thread
 * hands it frames to write, the buffer its reads go into, and the array of its gathering writes.
 *
 * <p>Writes are grouped: any thread appends (target, frame) pairs under a short lock — or a
 * {@link SendBurst} appends all of its pairs for this thread at once — and only the append that
 * finds the outbox idle wakes the I/O thread. The I/O thread then moves every frame to its
 * socket's queue (admitting sends not yet admitted against the queue's bound first) and writes
 * each touched socket once, so a room frame to a thousand members costs one wake-up, one pair
 * (its {@link Recipients} group of this thread) and at most one write per socket, and no
 * allocation per member.
 */
final class IoLoop {

    /** Enough for a few frames of a large message in flight; reads of more just loop. */
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int MAX_FRAMES_PER_WRITE = 64;
    /** Distinct per I/O thread across every node of the process: the index of its frame views. */
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    final XnioIoThread thread;
    final int id = NEXT_ID.getAndIncrement();
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    final ByteBuffer[] writeVector = new ByteBuffer[MAX_FRAMES_PER_WRITE];

    /**
     * What the outbox holds a frame for: a WsSocket (the frame already counted against its
     * queue's bound), a Connection (a send gathered by a SendBurst, whose bound and counters are
     * done here) or a Recipients.GroupSend (a room frame for this thread's members, each sent
     * here like a Connection's).
     */
    sealed interface Target permits WsSocket, Connection, Recipients.GroupSend {}

    private final Object lock = new Object();
    private Target[] targets = new Target[256];       // guarded by lock
    private WireFrame[] frames = new WireFrame[256];  // guarded by lock
    private int size;                                 // guarded by lock
    private boolean scheduled;                        // guarded by lock
    private Target[] drainingTargets = new Target[256];      // I/O thread only
    private WireFrame[] drainingFrames = new WireFrame[256]; // I/O thread only
    private final ArrayList<WsSocket> touched = new ArrayList<>(); // I/O thread only
    private final Runnable drain = this::drain;

    IoLoop(XnioIoThread thread) {
        this.thread = thread;
    }

    /** Hands a frame for a target of this I/O thread over. Any thread; never blocks on I/O. */
    void offer(Target target, WireFrame frame) {
        boolean wake;
        synchronized (lock) {
            if (size == targets.length) {
                grow(size + 1);
            }
            targets[size] = target;
            frames[size] = frame;
            size++;
            wake = !scheduled;
            scheduled = true;
        }
        if (wake) {
            thread.execute(drain);
        }
    }

    /** Hands a burst's sends for this I/O thread over at once. Any thread. */
    void offerAll(Target[] burstTargets, WireFrame[] sent, int count) {
        boolean wake;
        synchronized (lock) {
            if (size + count > targets.length) {
                grow(size + count);
            }
            System.arraycopy(burstTargets, 0, targets, size, count);
            System.arraycopy(sent, 0, frames, size, count);
            size += count;
            wake = !scheduled;
            scheduled = true;
        }
        if (wake) {
            thread.execute(drain);
        }
    }

    private void grow(int atLeast) {
        int capacity = Math.max(atLeast, targets.length * 2);
        targets = Arrays.copyOf(targets, capacity);
        frames = Arrays.copyOf(frames, capacity);
    }

    /** On the I/O thread, while draining: queues a frame on one of its sockets, written at the drain's end. */
    void queueHere(WsSocket socket, WireFrame frame) {
        socket.enqueue(frame);
        if (socket.markTouched()) {
            touched.add(socket);
        }
    }

    /** On the I/O thread: queue everything offered so far on its sockets, then write each once. */
    private void drain() {
        while (true) {
            int n;
            synchronized (lock) {
                if (size == 0) {
                    scheduled = false;
                    return;
                }
                Target[] fullTargets = targets;
                WireFrame[] fullFrames = frames;
                targets = drainingTargets.length >= fullTargets.length ? drainingTargets : new Target[fullTargets.length];
                frames = drainingFrames.length >= fullFrames.length ? drainingFrames : new WireFrame[fullFrames.length];
                drainingTargets = fullTargets;
                drainingFrames = fullFrames;
                n = size;
                size = 0;
            }
            for (int i = 0; i < n; i++) {
                WireFrame frame = drainingFrames[i];
                switch (drainingTargets[i]) {
                    case WsSocket socket -> queueHere(socket, frame);
                    case Connection connection -> connection.sendHere(frame);
                    case Recipients.GroupSend group -> group.sendHere(frame);
                }
                drainingTargets[i] = null;
                drainingFrames[i] = null;
            }
            for (int i = 0; i < touched.size(); i++) {
                touched.get(i).flushTouched();
            }
            touched.clear();
        }
    }
}
