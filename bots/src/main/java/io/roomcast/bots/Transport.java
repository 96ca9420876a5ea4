package io.roomcast.bots;

import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every bot shares: a few {@link SocketLoop}s (one selector thread each, named
 * {@code bots-socket-N}, that reads, decodes and handles the messages of its sockets; bot
 * {@code i} uses loop {@code i mod n}, so n threads share the reading) and one small scheduler
 * for timed sends, connect timeouts and the ramp. There is no thread per bot.
 *
 * <p>The listeners run on the loop threads, with no hand-off per message; they never block,
 * which is what makes that safe.
 *
 * <p>Threading: built and closed by the main thread; {@link #connect} from any thread.
 */
public final class Transport implements AutoCloseable {

    private final SocketLoop[] loops;
    public final ScheduledThreadPoolExecutor timer;

    public Transport(int loops, int timerThreads) {
        AtomicInteger n = new AtomicInteger();
        this.timer = new ScheduledThreadPoolExecutor(timerThreads, r -> {
            Thread t = new Thread(r, "bots-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.timer.setRemoveOnCancelPolicy(true);
        this.loops = new SocketLoop[loops];
        for (int i = 0; i < loops; i++) {
            this.loops[i] = new SocketLoop("bots-socket-" + (i + 1), timer);
        }
    }

    /** Opens the WebSocket of bot {@code index} on its loop; see {@link SocketLoop#connect}. */
    public CompletableFuture<WebSocket> connect(int index, URI uri, Duration timeout, WebSocket.Listener listener) {
        return loops[Math.floorMod(index, loops.length)].connect(uri, timeout, listener);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (SocketLoop loop : loops) {
            loop.close();
        }
    }
}
