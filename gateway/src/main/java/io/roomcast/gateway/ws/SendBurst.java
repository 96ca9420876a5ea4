package io.roomcast.gateway.ws;

import io.roomcast.gateway.ws.wire.WireFrame;

import java.util.Arrays;

/**
 * Gathers the frames one thread sends to sockets in a burst (a room frame to each I/O thread's
 * group of members here, see {@link Recipients}; a kept frame or a Left to one member) and hands
 * them to each socket's I/O thread at the burst's end, in one hand-off per I/O thread.
 * The per-socket work of a send (the queue's bound, the counters, the queue itself) then runs on
 * the I/O thread that owns the socket, where its state is in cache, instead of on the sending
 * thread, which would touch every member's socket state from another core.
 *
 * <p>Order: every frame a connection is sent by this thread during the burst goes through the
 * burst, in the order sent, so a connection's frames stay in order. Frames other threads send
 * meanwhile may reach the socket first: a caller whose frames must keep their place among
 * other threads' (a room's, ordered by its fan-out's lock) closes the burst before it lets the
 * others go on.
 *
 * <p>Threading: one per thread (a thread-local), one burst at a time: bursts do not nest, so the
 * close that a caller relies on for order is always the one that hands off.
 */
public final class SendBurst implements AutoCloseable {

    private static final ThreadLocal<SendBurst> CURRENT = ThreadLocal.withInitial(SendBurst::new);

    private boolean open;
    private Batch[] batches = new Batch[4]; // the first `used` are this burst's, one per I/O thread; kept for the next
    private int used;

    private SendBurst() {
    }

    /** Starts this thread's burst; close it to hand what it gathered to the I/O threads. */
    public static SendBurst open() {
        SendBurst burst = CURRENT.get();
        if (burst.open) {
            throw new IllegalStateException("a send burst is open on this thread already");
        }
        burst.open = true;
        return burst;
    }

    /** This thread's burst if one is open, else null. */
    static SendBurst active() {
        SendBurst burst = CURRENT.get();
        return burst.open ? burst : null;
    }

    /** A send for a target of {@code loop}: a Connection, or a Recipients group of that I/O thread. */
    void add(IoLoop loop, IoLoop.Target target, WireFrame frame) {
        batchOf(loop).add(target, frame);
    }

    private Batch batchOf(IoLoop loop) {
        for (int i = 0; i < used; i++) {
            if (batches[i].loop == loop) {
                return batches[i];
            }
        }
        if (used == batches.length) {
            batches = Arrays.copyOf(batches, used * 2);
        }
        if (batches[used] == null) {
            batches[used] = new Batch();
        }
        Batch batch = batches[used++];
        batch.loop = loop;
        return batch;
    }

    @Override
    public void close() {
        open = false;
        try {
            for (int i = 0; i < used; i++) {
                Batch batch = batches[i];
                batch.loop.offerAll(batch.targets, batch.frames, batch.size); // a batch has one send at least
            }
        } finally {
            for (int i = 0; i < used; i++) { // nothing of this burst is left for the next one
                batches[i].clear();
            }
            used = 0;
        }
    }

    /** The sends for one I/O thread, in order. */
    private static final class Batch {
        IoLoop loop;
        IoLoop.Target[] targets = new IoLoop.Target[64];
        WireFrame[] frames = new WireFrame[64];
        int size;

        void add(IoLoop.Target target, WireFrame frame) {
            if (size == targets.length) {
                targets = Arrays.copyOf(targets, size * 2);
                frames = Arrays.copyOf(frames, size * 2);
            }
            targets[size] = target;
            frames[size] = frame;
            size++;
        }

        void clear() {
            Arrays.fill(targets, 0, size, null);
            Arrays.fill(frames, 0, size, null);
            size = 0;
            loop = null;
        }
    }
}
