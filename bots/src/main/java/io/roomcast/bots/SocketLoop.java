package io.roomcast.bots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One selector thread for many {@link LeanWebSocket}s: it connects them, reads and decodes
 * what they receive (calling their listeners on this thread) and finishes the writes their
 * senders could not. One direct read buffer serves all its sockets.
 *
 * <p>Threading: {@link #connect} and {@link #execute} from any thread; the rest on the loop's
 * own daemon thread.
 */
final class SocketLoop implements AutoCloseable {

    /** Many frames per read; a frame bigger than this is read into a buffer of its own. */
    static final int READ_BUFFER_BYTES = 64 * 1024;

    private final Selector selector;
    private final Thread thread;
    private final ScheduledExecutorService timer;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** {@code timer} fires the connect timeouts. */
    SocketLoop(String name, ScheduledExecutorService timer) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        this.timer = timer;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Opens a WebSocket to {@code uri} (ws://); completes when the server has accepted the
     * upgrade, or fails: {@link java.net.ConnectException} when refused,
     * {@link java.net.http.HttpConnectTimeoutException} when not open within {@code timeout},
     * {@link Handshake.Failure} when the server refused the upgrade.
     */
    CompletableFuture<WebSocket> connect(URI uri, Duration timeout, WebSocket.Listener listener) {
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
        if (address.isUnresolved()) {
            return CompletableFuture.failedFuture(new UnknownHostException(uri.getHost()));
        }
        LeanWebSocket ws;
        try {
            ws = new LeanWebSocket(this, uri, listener);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<WebSocket> opened = ws.connect(address);
        ScheduledFuture<?> deadline = timer.schedule(() -> execute(ws::timedOut), timeout.toNanos(), TimeUnit.NANOSECONDS);
        opened.whenComplete((w, failure) -> deadline.cancel(false));
        return opened;
    }

    SelectionKey register(SocketChannel channel, LeanWebSocket ws) throws ClosedChannelException {
        return channel.register(selector, 0, ws);
    }

    /** Runs {@code task} on the loop thread. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** After a change of interest ops on another thread: makes the loop see it now. */
    void wakeup() {
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    private void run() {
        Consumer<SelectionKey> dispatch = this::dispatch;
        try {
            while (!closed) {
                selector.select(dispatch);
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        report(e);
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                report(e);
            }
        }
    }

    private void dispatch(SelectionKey key) {
        try {
            ((LeanWebSocket) key.attachment()).ready(key.readyOps(), readBuffer);
        } catch (CancelledKeyException e) {
            // aborted by another thread since the select
        } catch (RuntimeException e) {
            report(e); // a listener threw from onError: its socket is already closed
        }
    }

    private void report(Exception e) {
        System.err.println("roomcast-bots: " + thread.getName() + ": " + e);
    }

    /** Stops the loop and drops whatever sockets are left. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (SelectionKey key : selector.keys().toArray(SelectionKey[]::new)) {
                ((LeanWebSocket) key.attachment()).abort();
            }
            selector.close();
        } catch (IOException | ClosedSelectorException e) {
            // closing: nothing left to tell
        }
    }
}
