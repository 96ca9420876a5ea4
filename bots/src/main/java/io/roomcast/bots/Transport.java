package io.roomcast.bots;

import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every bot shares: a few {@link HttpClient}s (each one's WebSocket implementation is
 * non-blocking: one selector thread for all its sockets, callbacks on a small executor; bot
 * {@code i} uses client {@code i mod n}, so n selector threads share the reading) and one small
 * scheduler for timed sends and the ramp. There is no thread per bot.
 *
 * <p>With {@code ioThreads == 0} the client's executor is a same-thread one: the selector
 * thread reads, decodes and calls the listeners itself, which saves a hand-off (a queue and a
 * wake-up) per message. The listeners never block, which is what makes that safe.
 *
 * <p>Threading: built and closed by the main thread; the executors are thread-safe.
 */
public final class Transport implements AutoCloseable {

    private final HttpClient[] clients;
    public final ExecutorService io;
    public final ScheduledThreadPoolExecutor timer;

    public Transport(int clients, int ioThreads, int timerThreads) {
        this.io = ioThreads == 0 ? new DirectExecutor() : Executors.newFixedThreadPool(ioThreads, daemon("bots-io-"));
        this.timer = new ScheduledThreadPoolExecutor(timerThreads, daemon("bots-timer-"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.clients = new HttpClient[clients];
        for (int i = 0; i < clients; i++) {
            this.clients[i] = HttpClient.newBuilder().executor(io).build();
        }
    }

    /** The client (and so the selector thread) of bot {@code index}. */
    public HttpClient http(int index) {
        return clients[Math.floorMod(index, clients.length)];
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (HttpClient client : clients) {
            client.shutdownNow();
        }
        io.shutdownNow();
        try {
            io.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs every task on the thread that hands it over (the client's selector thread, mostly). */
    static final class DirectExecutor extends java.util.concurrent.AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public java.util.List<Runnable> shutdownNow() {
            shutdown = true;
            return java.util.List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
