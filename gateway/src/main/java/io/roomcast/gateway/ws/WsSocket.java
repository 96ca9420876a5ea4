package io.roomcast.gateway.ws;

import io.roomcast.gateway.ws.wire.FrameDecoder;
import io.roomcast.gateway.ws.wire.WireFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One upgraded WebSocket connection on its XNIO I/O thread: reads and decodes client frames,
 * writes queued {@link WireFrame}s with gathering writes, and runs the close handshake.
 *
 * <p>Threading: everything here runs on the connection's I/O thread, except {@link #trySend}
 * and {@link #close}, which any thread may call; sends reach the I/O thread
 * through its {@link IoLoop}, in the order they were made.
 */
final class WsSocket implements FrameDecoder.Handler, IoLoop.Target {

    /** What the socket tells its owner; called on the I/O thread. */
    interface Listener {
        void onBinary(ByteBuffer message);

        void onText();

        /** The client broke the protocol or a limit; the socket is closing with {@code code}. */
        void onViolation(int code, String reason);

        /** A write to the socket failed; it is closing. */
        void onWriteFailed(IOException error);

        /**
         * The TCP connection is closed; called once, with the code of the close frame the node sent
         * (its own, or its echo of the client's), or 1006 when it ended without one.
         */
        void onClosed(int closeCode);
    }

    private static final Logger log = LoggerFactory.getLogger(WsSocket.class);
    private static final long CLOSE_TIMEOUT_MS = 1000;
    /** Reads handled per readiness event before other sockets get their turn. */
    private static final int MAX_READS_PER_EVENT = 16;
    /** What a client that broke the protocol may still send (read and dropped) before it is cut off. */
    private static final int MAX_DISCARDED_BYTES = 64 * 1024;

    private final StreamConnection connection;
    private final ConduitStreamSourceChannel source;
    private final ConduitStreamSinkChannel sink;
    private final IoLoop loop;
    private final FrameDecoder decoder;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final LongAdder sentBytes;
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private volatile int closeCode; // of the first close asked for; 0: none yet
    private volatile boolean closeJumpsQueue;
    private Listener listener;

    // I/O thread only:
    private ByteBuffer partial;           // the bytes of an incomplete frame, only while there is one
    private final SendQueue queue = new SendQueue();
    private boolean touched;
    private boolean writesResumed = true; // as far as we know: true until the first flush has suspended them
    private boolean closeQueued;          // our close frame is in the queue: nothing goes after it
    private boolean closeReceived;
    private boolean failed;               // the client broke the protocol: what it sends is read and dropped
    private int discarded;
    private boolean peerEnded;            // a failed client closed its side: we close once our close frame is out
    private boolean closed;

    /** @param sentBytes counts every byte written to the socket */
    WsSocket(StreamConnection connection, IoLoop loop, int maxMessageBytes, LongAdder sentBytes) {
        this.connection = connection;
        this.sentBytes = sentBytes;
        this.source = connection.getSourceChannel();
        this.sink = connection.getSinkChannel();
        this.loop = loop;
        this.decoder = new FrameDecoder(maxMessageBytes);
    }

    /** Starts reading; call once, on the I/O thread, after the listener is known. */
    void start(Listener listener) {
        this.listener = listener;
        ChannelListener<? super StreamConnection> before = connection.getCloseListener(); // the connection gate's
        connection.setCloseListener(c -> {
            closedNow();
            ChannelListeners.invokeChannelListener(c, before);
        });
        sink.getWriteSetter().set(c -> flush());
        source.getReadSetter().set(c -> readable());
        source.resumeReads();
    }

    XnioIoThread ioThread() {
        return loop.thread;
    }

    // ───────────── sending ─────────────

    /**
     * Queues a frame unless it would take the bytes queued and not yet written over
     * {@code limit}; false (nothing queued) then. Any thread.
     */
    boolean trySend(WireFrame frame, long limit) {
        if (!admit(frame, limit)) {
            return false;
        }
        loop.offer(this, frame);
        return true;
    }

    /**
     * {@link #trySend} on the I/O thread while its loop drains (a {@link SendBurst}'s send): the
     * frame goes straight to the queue and is written at the drain's end.
     */
    boolean trySendHere(WireFrame frame, long limit) {
        if (!admit(frame, limit)) {
            return false;
        }
        loop.queueHere(this, frame);
        return true;
    }

    /** Counts the frame's bytes as queued unless that takes them over {@code limit}. */
    private boolean admit(WireFrame frame, long limit) {
        if (queuedBytes.addAndGet(frame.wireLength()) > limit) {
            queuedBytes.addAndGet(-frame.wireLength());
            return false;
        }
        return true;
    }

    IoLoop loop() {
        return loop;
    }

    /** Sends a close frame after what is already queued, then closes the connection. Any thread. */
    void close(int code, String reason) {
        if (closeRequested.compareAndSet(false, true)) {
            closeCode = code;
            sendControl(WireFrame.close(code, reason));
        }
    }

    /**
     * Sends a close frame ahead of what is queued and not yet started (dropped: the client is cut
     * off anyway), so a slow reader reads the close as soon as it reads what is already on its
     * way, then closes the connection. Any thread.
     */
    void closeAhead(int code, String reason) {
        if (closeRequested.compareAndSet(false, true)) {
            closeCode = code;
            closeJumpsQueue = true;
            sendControl(WireFrame.close(code, reason));
        }
    }

    /** Control frames are queued whatever the limit: a close or a pong is never the one to drop. */
    private void sendControl(WireFrame frame) {
        queuedBytes.addAndGet(frame.wireLength());
        loop.offer(this, frame);
    }

    /** On the I/O thread, from the loop: appends a frame to this socket's queue. */
    void enqueue(WireFrame frame) {
        if (closed || closeQueued) {
            queuedBytes.addAndGet(-frame.wireLength());
            return;
        }
        if (frame.isClose() && closeJumpsQueue) {
            queuedBytes.addAndGet(-queue.dropAllButHead());
        }
        queue.add(frame);
        if (frame.isClose()) {
            // Reads go on: the client's answer ends the connection early. A client that does not
            // take what is queued (a slow consumer, whose close frame waits behind it) or never
            // answers is cut off when the timeout runs out, from now, not from when it is written.
            closeQueued = true;
            try {
                loop.thread.executeAfter(this::closeNow, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // The node is stopping and its I/O thread takes no timers any more; the frame is still
                // written in this drain, and the worker's shutdown closes the socket after it.
            }
        }
    }

    /** Marks the socket as written to in this drain of the loop; true the first time. */
    boolean markTouched() {
        if (touched) {
            return false;
        }
        touched = true;
        return true;
    }

    void flushTouched() {
        touched = false;
        flush();
    }

    /** Writes as much of the queue as the socket takes; the rest waits for write-readiness. */
    private void flush() {
        if (closed) {
            return;
        }
        try {
            while (!queue.isEmpty()) {
                int n = queue.fill(loop.writeVector, loop.id);
                long wanted = 0;
                for (int i = 0; i < n; i++) {
                    wanted += loop.writeVector[i].remaining();
                }
                long written = sink.write(loop.writeVector, 0, n);
                sentBytes.add(written);
                queuedBytes.addAndGet(-queue.consume(written));
                Arrays.fill(loop.writeVector, 0, n, null);
                if (written < wanted) {
                    resumeWrites();
                    return;
                }
            }
            if (!sink.flush()) {
                resumeWrites();
                return;
            }
            if (writesResumed) { // a call through the conduit chain per write otherwise (~2 % of a W1 node's I/O threads)
                writesResumed = false;
                sink.suspendWrites();
            }
            if (closeQueued && (closeReceived || peerEnded)) {
                closeNow(); // both close frames are out (or the failed client is gone): done
            } else if (closeQueued && failed) {
                // RFC 6455 7.1.7: a failed connection is not read any more; end our side (FIN) so
                // the client closes its own at once, and close when it does (readable: EOF)
                // instead of holding the socket for the close timeout.
                sink.shutdownWrites();
                if (!sink.flush()) {
                    resumeWrites();
                }
            }
        } catch (IOException e) {
            listener.onWriteFailed(e);
            closeNow();
        }
    }

    /** Asks for the write-ready event that resumes a write the socket could not take whole. */
    private void resumeWrites() {
        writesResumed = true;
        sink.resumeWrites();
    }

    // ───────────── receiving ─────────────

    private void readable() {
        if (failed) {
            discard();
            return;
        }
        try {
            for (int reads = 0; reads < MAX_READS_PER_EVENT && !closed; reads++) {
                ByteBuffer buffer = readInto();
                int read = source.read(buffer);
                if (read < 0) {
                    closeNow();
                    return;
                }
                if (read == 0) {
                    return;
                }
                buffer.flip();
                boolean ok = decoder.decode(buffer, this);
                if (!ok || closed) {
                    partial = null;
                    if (failed && !closed) {
                        discard(); // what is left of this read is dropped; the client's EOF is awaited
                    } else {
                        source.suspendReads(); // its close frame was the last thing it may send
                    }
                    return;
                }
                keepIncomplete(buffer);
                if (buffer != partial && read < buffer.capacity()) {
                    return; // the socket had no more for now
                }
            }
        } catch (IOException e) {
            log.debug("read failed, closing", e);
            closeNow();
        }
    }

    /**
     * The client broke the protocol: reads what it still sends and drops it, until it closes its
     * side — then the socket closes as soon as our close frame is out. Reads stay on so that its
     * end is seen: a socket whose reads were suspended would wait for the close timeout whatever
     * the client did, and there are as many such sockets as clients that fail in a second. A
     * client that sends more than {@link #MAX_DISCARDED_BYTES} is not read any more: the close
     * timeout ends it.
     */
    private void discard() {
        try {
            for (int reads = 0; reads < MAX_READS_PER_EVENT && !closed; reads++) {
                int read = source.read(loop.readBuffer.clear());
                if (read < 0) {
                    peerEnded = true;
                    source.suspendReads();
                    if (closeQueued && queue.isEmpty()) {
                        closeNow(); // our close frame is out already
                    }
                    return; // else flush() closes once it is
                }
                if (read == 0) {
                    return;
                }
                discarded += read;
                if (discarded > MAX_DISCARDED_BYTES) {
                    source.suspendReads();
                    return;
                }
            }
        } catch (IOException e) {
            closeNow();
        }
    }

    /** Where the next read goes: after the incomplete frame if there is one, else the thread's buffer. */
    private ByteBuffer readInto() {
        if (partial == null) {
            return loop.readBuffer.clear();
        }
        if (!partial.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(partial.capacity() * 2);
            partial = bigger.put(partial.flip());
        }
        return partial;
    }

    /** Keeps the bytes of an incomplete frame for the next read; an idle socket keeps nothing. */
    private void keepIncomplete(ByteBuffer decoded) {
        if (!decoded.hasRemaining()) {
            partial = null;
        } else if (decoded == partial) {
            partial.compact();
        } else {
            ByteBuffer kept = ByteBuffer.allocate(Math.max(1024, decoded.remaining() * 2));
            partial = kept.put(decoded);
        }
    }

    @Override
    public void onBinary(ByteBuffer message) {
        if (!closeQueued) {
            listener.onBinary(message);
        }
    }

    @Override
    public void onText() {
        if (!closeQueued) {
            listener.onText();
        }
    }

    @Override
    public void onPing(ByteBuffer payload) {
        if (!closeQueued) {
            sendControl(WireFrame.pong(payload));
        }
    }

    @Override
    public void onClose(int code, String reason) {
        closeReceived = true;
        if (closeQueued) {
            closeNow(); // the answer to our close
        } else {
            // Echo the client's code (RFC 6455 5.5.1); then close once it is written.
            close(code == FrameDecoder.CLOSE_NO_STATUS ? FrameDecoder.CLOSE_NORMAL : code, "");
        }
    }

    @Override
    public void onViolation(int code, String reason) {
        failed = true;
        listener.onViolation(code, reason);
        close(code, reason);
    }

    // ───────────── closing ─────────────

    private void closeNow() {
        IoUtils.safeClose(connection);
    }

    private void closedNow() {
        if (closed) {
            return;
        }
        closed = true;
        closeRequested.set(true);
        partial = null;
        queue.clear();
        queuedBytes.set(0);
        int code = closeCode;
        listener.onClosed(code == 0 ? FrameDecoder.CLOSE_ABNORMAL : code);
    }
}
