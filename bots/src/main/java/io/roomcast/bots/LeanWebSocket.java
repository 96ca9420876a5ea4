package io.roomcast.bots;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client WebSocket (ws://, RFC 6455) on a non-blocking {@link SocketChannel} that a
 * {@link SocketLoop} serves. It implements the JDK's {@link WebSocket} and calls a
 * {@link WebSocket.Listener}, so the bots are written against the JDK's interfaces, without the
 * JDK client's cost per message: no executor hand-off, no copy, no allocation per message.
 *
 * <p>Receiving (loop thread): reads go into the loop's shared buffer and are decoded in place;
 * a message reaches the listener whole ({@code last} is always true) and the buffer it gets is
 * a view of the read buffer, valid only during the call. The bytes of an incomplete frame are
 * kept in a buffer of this socket's own until the frame is complete, so an idle socket holds
 * no buffer. Listener calls are made one at a time on the loop thread; none after onClose,
 * onError or {@link #abort}. The stages a listener returns are ignored and {@link #request} is
 * a no-op: every message is delivered as it arrives.
 *
 * <p>Sending (any thread): a frame is masked into the calling thread's scratch buffer and
 * written at once when nothing waits before it; what the socket does not take is queued and the
 * loop writes it when the socket is writable. Order is kept; the returned future completes when
 * the frame is written (at once, mostly).
 *
 * <p>Threading: the send queue and the output state are guarded by {@code this}; the read side
 * belongs to the loop thread.
 */
final class LeanWebSocket implements WebSocket, WsDecoder.Handler {

    private static final int SCRATCH_BYTES = 16 * 1024;
    /** Per sending thread: frames are masked here and written from here. */
    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SCRATCH_BYTES));

    /** A frame the socket did not take at once. */
    private static final class Pending {
        final ByteBuffer frame;
        final CompletableFuture<WebSocket> written = new CompletableFuture<>();
        Pending next;

        Pending(ByteBuffer frame) {
            this.frame = frame;
        }
    }

    private final SocketLoop loop;
    private final URI uri;
    private final Listener listener;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final CompletableFuture<WebSocket> opened = new CompletableFuture<>();
    private final CompletableFuture<WebSocket> writtenAtOnce = CompletableFuture.completedFuture(this);
    private final WsDecoder decoder = new WsDecoder();

    // loop thread only
    /** The Sec-WebSocket-Key until the server accepted the upgrade, then null. */
    private String handshakeKey = Handshake.newKey();
    /** The bytes of an incomplete frame (or response header) between reads; see {@link #keep}. */
    private ByteBuffer carry;

    private volatile boolean inputClosed;
    private volatile boolean outputClosed; // written under this
    private volatile boolean finished;     // written under this: the listener has heard its last
    private Pending head;                  // guarded by this
    private Pending tail;                  // guarded by this

    LeanWebSocket(SocketLoop loop, URI uri, Listener listener) throws IOException {
        this.loop = loop;
        this.uri = uri;
        this.listener = listener;
        this.channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            this.key = loop.register(channel, this);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** Starts connecting; the future completes when the server has accepted the upgrade. */
    CompletableFuture<WebSocket> connect(InetSocketAddress address) {
        try {
            if (channel.connect(address)) {
                connected();
            } else {
                key.interestOps(SelectionKey.OP_CONNECT);
                loop.wakeup();
            }
        } catch (IOException e) {
            fail(e);
        }
        return opened;
    }

    /** On the loop: not open in time. */
    void timedOut() {
        if (!opened.isDone()) {
            fail(new HttpConnectTimeoutException("connecting to " + uri + " timed out"));
        }
    }

    // ───────────── the loop's events ─────────────

    /** On the loop: the socket is ready for {@code ops}. */
    void ready(int ops, ByteBuffer readBuffer) {
        try {
            if ((ops & SelectionKey.OP_CONNECT) != 0 && channel.finishConnect()) {
                connected();
            }
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                flush();
            }
            if ((ops & SelectionKey.OP_READ) != 0) {
                read(readBuffer);
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void connected() throws IOException {
        key.interestOps(SelectionKey.OP_READ);
        loop.wakeup();
        synchronized (this) {
            write(Handshake.request(uri, handshakeKey));
        }
    }

    private void read(ByteBuffer readBuffer) throws IOException {
        ByteBuffer buf = readBuffer.clear();
        if (carry != null && carry.capacity() > readBuffer.capacity()) {
            buf = carry; // a frame too big for the shared buffer fills its own
        } else if (carry != null) {
            buf.put(carry.flip());
            carry = null;
        }
        if (channel.read(buf) < 0) {
            throw new EOFException("the server closed the connection");
        }
        if (buf == carry && carry.hasRemaining() || inputClosed) {
            return;
        }
        buf.flip();
        if (handshakeKey == null || handshake(buf)) {
            decoder.decode(buf, this);
        }
        keep(buf, readBuffer.capacity());
    }

    /**
     * Keeps what is left in {@code buf} (an incomplete frame, or response header) for the next
     * read: in a buffer of its size, or of the whole frame's when that will not fit in the shared
     * buffer (the next reads then go straight into it).
     */
    private void keep(ByteBuffer buf, int shared) throws IOException {
        if (!buf.hasRemaining() || finished) {
            carry = null;
            return;
        }
        long frame = handshakeKey == null ? WsDecoder.frameLength(buf) : -1;
        carry = ByteBuffer.allocate(frame > shared ? (int) frame : buf.remaining()).put(buf);
    }

    /** Checks the server's answer; true once the socket is open (the rest of {@code buf} is frames). */
    private boolean handshake(ByteBuffer buf) throws IOException {
        int end = Handshake.headerEnd(buf);
        if (end < 0) {
            if (buf.remaining() > Handshake.MAX_RESPONSE_BYTES) {
                throw new Handshake.Failure("WebSocket upgrade: the response header is too long");
            }
            return false;
        }
        Handshake.check(buf, end, handshakeKey);
        buf.position(end);
        handshakeKey = null;
        listener.onOpen(this);
        opened.complete(this);
        return true;
    }

    /** On the loop: writes what waits; the futures of what was written complete outside the lock. */
    private void flush() throws IOException {
        Pending first = null;
        Pending last = null;
        try {
            synchronized (this) {
                first = head;
                while (head != null) {
                    channel.write(head.frame);
                    if (head.frame.hasRemaining()) {
                        return;
                    }
                    last = head;
                    head = head.next;
                }
                tail = null;
                key.interestOpsAnd(~SelectionKey.OP_WRITE);
                closeWhenDone();
            }
        } finally {
            if (last != null) {
                last.next = null;
                for (Pending p = first; p != null; p = p.next) {
                    p.written.complete(this);
                }
            }
        }
    }

    // ───────────── WsDecoder.Handler (loop thread) ─────────────

    @Override
    public void onMessage(int opcode, ByteBuffer payload) {
        if (finished) {
            return;
        }
        if (opcode == WsFrames.BINARY) {
            listener.onBinary(this, payload, true);
        } else {
            listener.onText(this, StandardCharsets.UTF_8.decode(payload), true);
        }
    }

    @Override
    public void onPing(ByteBuffer payload) {
        if (!outputClosed) {
            send(WsFrames.PONG, payload);
        }
        if (!finished) {
            listener.onPing(this, payload);
        }
    }

    @Override
    public void onPong(ByteBuffer payload) {
        if (!finished) {
            listener.onPong(this, payload);
        }
    }

    @Override
    public void onClose(int code, String reason) {
        inputClosed = true;
        if (!outputClosed) {
            send(WsFrames.CLOSE, closePayload(code == WsFrames.NO_STATUS ? -1 : code, ""));
        }
        synchronized (this) {
            closeWhenDone();
        }
        if (finish()) {
            listener.onClose(this, code, reason);
        }
    }

    // ───────────── WebSocket (any thread) ─────────────

    @Override
    public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
        if (!last) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("fragmented sends"));
        }
        CompletableFuture<WebSocket> sent = send(WsFrames.BINARY, data);
        data.position(data.limit());
        return sent;
    }

    @Override
    public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
        if (!last) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("fragmented sends"));
        }
        return send(WsFrames.TEXT, StandardCharsets.UTF_8.encode(CharBuffer.wrap(data)));
    }

    @Override
    public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
        return sendControl(WsFrames.PING, message);
    }

    @Override
    public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
        return sendControl(WsFrames.PONG, message);
    }

    @Override
    public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
        return sendControl(WsFrames.CLOSE, closePayload(statusCode, reason));
    }

    @Override
    public void request(long n) {
        // every message is delivered as it arrives
    }

    @Override
    public String getSubprotocol() {
        return "";
    }

    @Override
    public boolean isOutputClosed() {
        return outputClosed;
    }

    @Override
    public boolean isInputClosed() {
        return inputClosed;
    }

    /** Drops the connection at once: no close handshake, no more listener calls, pending sends fail. */
    @Override
    public void abort() {
        IOException aborted = new IOException("aborted");
        finish();
        shutdown(aborted);
        opened.completeExceptionally(aborted);
    }

    // ───────────── sending ─────────────

    private CompletableFuture<WebSocket> sendControl(int opcode, ByteBuffer payload) {
        if (payload.remaining() > WsFrames.MAX_CONTROL_PAYLOAD) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("control frame payload over 125 bytes"));
        }
        return send(opcode, payload);
    }

    private CompletableFuture<WebSocket> send(int opcode, ByteBuffer payload) {
        int mask = ThreadLocalRandom.current().nextInt();
        synchronized (this) {
            if (outputClosed) {
                return CompletableFuture.failedFuture(new IOException("output closed"));
            }
            outputClosed = opcode == WsFrames.CLOSE;
            int length = WsFrames.length(payload.remaining());
            ByteBuffer frame = head == null && length <= SCRATCH_BYTES ? SCRATCH.get().clear() : ByteBuffer.allocate(length);
            WsFrames.put(frame, opcode, payload, mask);
            try {
                Pending pending = write(frame.flip());
                return pending == null ? writtenAtOnce : pending.written;
            } catch (IOException e) {
                loop.execute(() -> fail(e)); // the listener hears of it on the loop
                return CompletableFuture.failedFuture(e);
            }
        }
    }

    /** Under this: writes {@code frame} now when nothing waits before it, else queues it. Null when written. */
    private Pending write(ByteBuffer frame) throws IOException {
        if (head == null) {
            channel.write(frame);
            if (!frame.hasRemaining()) {
                closeWhenDone();
                return null;
            }
            if (frame.isDirect()) { // the scratch buffer: the next send reuses it
                frame = ByteBuffer.allocate(frame.remaining()).put(frame).flip();
            }
        }
        Pending pending = new Pending(frame);
        if (tail == null) {
            head = pending;
            key.interestOpsOr(SelectionKey.OP_WRITE);
            loop.wakeup();
        } else {
            tail.next = pending;
        }
        tail = pending;
        return pending;
    }

    /** Under this: both closes are through and everything is written. */
    private void closeWhenDone() {
        if (inputClosed && outputClosed && head == null) {
            closeChannel();
        }
    }

    private static ByteBuffer closePayload(int code, String reason) {
        if (code < 0) {
            return ByteBuffer.allocate(0);
        }
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text).flip();
    }

    // ───────────── the end ─────────────

    /** Marks the listener done; true for the one caller that does. */
    private synchronized boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        return true;
    }

    /** On the loop (or before the socket is registered for anything): the connection is lost, or was never made. */
    void fail(Throwable failure) {
        boolean first = finish();
        shutdown(failure);
        if (first && !opened.completeExceptionally(failure)) {
            listener.onError(this, failure);
        }
    }

    private void shutdown(Throwable cause) {
        Pending unsent;
        synchronized (this) {
            inputClosed = true;
            outputClosed = true;
            unsent = head;
            head = null;
            tail = null;
        }
        closeChannel();
        for (Pending p = unsent; p != null; p = p.next) {
            p.written.completeExceptionally(cause);
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing left to tell
        }
    }
}
