package io.roomcast.benchmarks;

import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under "server CPU per delivered message" on the machine it runs on: what the JVM
 * and the kernel cost for one small message on a loopback TCP socket when the program does
 * nothing else — no WebSocket, no rooms, no Redis. Roomcast's figures are read against it.
 *
 * <ul>
 *   <li>{@code write} (W1's send side): {@code --servers} threads, each owning an equal share of
 *       {@code --sockets} connections, write the same {@code --bytes}-byte buffer to every one of
 *       their sockets at the same instant, {@code --hz} times a second (like two nodes fanning
 *       out one broadcast). {@code --readers} selector threads play the clients and read
 *       everything. Measured: the server threads' CPU per write.
 *   <li>{@code read} (W2's input side): {@code --readers} client threads send one message per
 *       socket {@code --hz} times a second, spread evenly over the period (like players'
 *       inputs); {@code --servers} selector threads read them. Measured: the server threads' CPU
 *       per message read, including their wake-ups.
 * </ul>
 *
 * Thread CPU comes from {@link ThreadMXBean}; in the loopback stack the sender's system call also
 * runs the receiver's TCP input and its wake-up, as it does for a node writing to a bot.
 *
 * <p>{@code --layer xnio} runs the server side on an XNIO worker instead of plain threads: the
 * floor of the socket layer a node is built on (Undertow's), for telling the layer's cost from
 * ours.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.roomcast.benchmarks.LoopbackFloor
 * write --sockets 1000}; {@code --help} lists the options.
 */
public final class LoopbackFloor {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final String mode;
    private final int sockets;
    private final int servers;
    private final int readers;
    private final int bytes;
    private final int hz;
    private final int warmupSeconds;
    private final int seconds;
    private final boolean xnio;

    private volatile boolean running = true;

    private LoopbackFloor(String mode, int sockets, int servers, int readers, int bytes, int hz,
                          int warmupSeconds, int seconds, boolean xnio) {
        this.mode = mode;
        this.sockets = sockets;
        this.servers = servers;
        this.readers = readers;
        this.bytes = bytes;
        this.hz = hz;
        this.warmupSeconds = warmupSeconds;
        this.seconds = seconds;
        this.xnio = xnio;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")
                || !(args[0].equals("write") || args[0].equals("read"))) {
            System.out.println("""
                    usage: LoopbackFloor write|read [--sockets N] [--servers N] [--readers N]
                                         [--bytes N] [--hz N] [--warmup S] [--seconds S] [--layer nio|xnio]
                      write: server threads write one message to each of their sockets at once, hz times a second
                      read:  client threads send one message per socket hz times a second, spread over the period
                      --layer xnio: the server side is an XNIO worker (Undertow's socket layer, as in a node):
                                    its I/O threads read through listeners, and write when a timer hands them the fan-out
                    defaults: --sockets 1000 --servers 2 --readers 2 --bytes 106 --hz 20 --warmup 10 --seconds 10 --layer nio""");
            System.exit(args.length == 0 ? 2 : 0);
        }
        int sockets = 1000, servers = 2, readers = 2, bytes = 106, hz = 20, warmup = 10, seconds = 10;
        boolean xnio = false;
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + " needs a value");
            if (args[i].equals("--layer")) {
                if (!args[i + 1].equals("nio") && !args[i + 1].equals("xnio")) {
                    throw new IllegalArgumentException("--layer is nio or xnio, not " + args[i + 1]);
                }
                xnio = args[i + 1].equals("xnio");
                continue;
            }
            int value = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--sockets" -> sockets = value;
                case "--servers" -> servers = value;
                case "--readers" -> readers = value;
                case "--bytes" -> bytes = value;
                case "--hz" -> hz = value;
                case "--warmup" -> warmup = value;
                case "--seconds" -> seconds = value;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        new LoopbackFloor(args[0], sockets, servers, readers, bytes, hz, warmup, seconds, xnio).run();
    }

    private void run() throws Exception {
        if (xnio) {
            new XnioServerSide().run();
            return;
        }
        List<SocketChannel> serverSide = new ArrayList<>(sockets);
        List<SocketChannel> clientSide = new ArrayList<>(sockets);
        connect(serverSide, clientSide);
        boolean write = mode.equals("write");
        // The measured side: the server threads. The other side keeps up with them.
        List<Worker> measured = new ArrayList<>();
        List<Thread> all = new ArrayList<>();
        for (int s = 0; s < servers; s++) {
            List<SocketChannel> share = share(serverSide, s, servers);
            Worker worker = write ? new Writer(share, false) : new Reader(share);
            measured.add(worker);
            all.add(Thread.ofPlatform().name("server-" + s).start(worker));
        }
        List<Worker> clients = startClients(clientSide, write, all);
        System.out.printf("%s: %d sockets, %d server threads, %d client threads, %d-byte messages at %d Hz; warm-up %d s%n",
                mode, sockets, servers, readers, bytes, hz, warmupSeconds);
        Window window = measure(() -> cpu(measured), () -> cpu(clients), () -> count(measured));
        for (Thread thread : all) thread.join(2000);
        for (SocketChannel channel : serverSide) channel.close();
        for (SocketChannel channel : clientSide) channel.close();
        window.report(mode);
    }

    /** The client side's threads, each on its share: readers of a fan-out, or writers of inputs spread over the period. */
    private List<Worker> startClients(List<SocketChannel> clientSide, boolean write, List<Thread> threads) {
        List<Worker> clients = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            List<SocketChannel> share = share(clientSide, r, readers);
            Worker client = write ? new Reader(share) : new Writer(share, true);
            clients.add(client);
            threads.add(Thread.ofPlatform().name("client-" + r).start(client));
        }
        return clients;
    }

    /** What the measured window saw. */
    private record Window(long count, double elapsedSeconds, long serverCpuNanos, long clientCpuNanos) {

        void report(String label) {
            System.out.printf("%s: %d messages in %.1f s; server threads' CPU %.3f s (%.2f cores) = %.2f µs per message%n",
                    label, count, elapsedSeconds, serverCpuNanos / 1e9, serverCpuNanos / 1e9 / elapsedSeconds,
                    count == 0 ? 0 : serverCpuNanos / 1e3 / count);
            System.out.printf("%s: client threads' CPU %.3f s = %.2f µs per message (the generator's side)%n",
                    label, clientCpuNanos / 1e9, count == 0 ? 0 : clientCpuNanos / 1e3 / count);
        }
    }

    /** The warm-up, then the window; at its end every worker is told to stop. */
    private Window measure(LongSupplier serverCpu, LongSupplier clientCpu, LongSupplier count) throws InterruptedException {
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
        long cpuBefore = serverCpu.getAsLong();
        long clientCpuBefore = clientCpu.getAsLong();
        long countBefore = count.getAsLong();
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        Window window = new Window(count.getAsLong() - countBefore, (System.nanoTime() - start) / 1e9,
                serverCpu.getAsLong() - cpuBefore, clientCpu.getAsLong() - clientCpuBefore);
        running = false;
        return window;
    }

    private void connect(List<SocketChannel> serverSide, List<SocketChannel> clientSide) throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), sockets);
            for (int i = 0; i < sockets; i++) {
                SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                SocketChannel server = listener.accept();
                for (SocketChannel channel : List.of(client, server)) {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    channel.configureBlocking(false);
                }
                clientSide.add(client);
                serverSide.add(server);
            }
        }
    }

    private static List<SocketChannel> share(List<SocketChannel> channels, int index, int of) {
        List<SocketChannel> share = new ArrayList<>();
        for (int i = index; i < channels.size(); i += of) share.add(channels.get(i));
        return share;
    }

    private static long cpu(List<Worker> workers) {
        long total = 0;
        for (Worker worker : workers) total += THREADS.getThreadCpuTime(worker.threadId);
        return total;
    }

    private static long count(List<Worker> workers) {
        long total = 0;
        for (Worker worker : workers) total += worker.messages;
        return total;
    }

    private abstract static class Worker implements Runnable {
        volatile long threadId;
        volatile long messages;

        @Override
        public final void run() {
            threadId = Thread.currentThread().threadId();
            try {
                work();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }

        abstract void work() throws IOException;
    }

    /**
     * Writes one message to every socket of its share each period: all at the same instant
     * ({@code spread} false, a fan-out), or one socket after the other evenly over the period
     * ({@code spread} true, players' inputs). The same direct buffer for every socket, as a
     * prepared frame.
     */
    private final class Writer extends Worker {
        private final List<SocketChannel> channels;
        private final boolean spread;

        Writer(List<SocketChannel> channels, boolean spread) {
            this.channels = channels;
            this.spread = spread;
        }

        @Override
        void work() throws IOException {
            ByteBuffer message = ByteBuffer.allocateDirect(bytes);
            long period = TimeUnit.SECONDS.toNanos(1) / hz;
            long step = spread ? period / Math.max(1, channels.size()) : 0;
            long next = System.nanoTime();
            long written = 0;
            while (running) {
                for (SocketChannel channel : channels) {
                    if (step > 0) next = sleepUntil(next + step);
                    message.clear();
                    // a full socket buffer drops the message: the floor is about the system call
                    if (channel.write(message) == bytes) written++;
                }
                messages = written;
                if (step == 0) next = sleepUntil(next + period);
            }
        }

        private long sleepUntil(long deadline) {
            long wait = deadline - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            return deadline;
        }
    }

    /** A selector loop that reads everything its sockets receive, counting whole messages. */
    private final class Reader extends Worker {
        private final List<SocketChannel> channels;

        Reader(List<SocketChannel> channels) {
            this.channels = channels;
        }

        @Override
        void work() throws IOException {
            ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
            long received = 0;
            try (Selector selector = Selector.open()) {
                for (SocketChannel channel : channels) channel.register(selector, SelectionKey.OP_READ);
                while (running) {
                    if (selector.select(100) == 0) continue;
                    for (SelectionKey key : selector.selectedKeys()) {
                        buffer.clear();
                        int read = ((SocketChannel) key.channel()).read(buffer);
                        if (read > 0) received += read;
                    }
                    selector.selectedKeys().clear();
                    messages = received / bytes;
                }
            }
        }
    }

    /**
     * {@code --layer xnio}: the same socket work with the server side on an XNIO worker of
     * {@code --servers} I/O threads, as a node runs it (no WebSocket, no rooms): reads in each
     * connection's read listener until the socket is empty; writes on the I/O thread that owns the
     * socket, handed to it by a timer thread each period ({@code execute}), the way a room's
     * fan-out reaches a node's sockets. Measured: the I/O threads' CPU (and the timer's).
     */
    private final class XnioServerSide {
        private final LongAdder done = new LongAdder();
        private final Map<XnioIoThread, List<StreamConnection>> byThread = new ConcurrentHashMap<>();
        private final Map<XnioIoThread, ByteBuffer> readBuffers = new ConcurrentHashMap<>();

        void run() throws Exception {
            XnioWorker worker = Xnio.getInstance(LoopbackFloor.class.getClassLoader()).createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, servers).set(Options.WORKER_NAME, "floor").getMap());
            AcceptingChannel<StreamConnection> acceptor = worker.createStreamConnectionServer(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, OptionMap.EMPTY);
            BlockingQueue<StreamConnection> accepted = new LinkedBlockingQueue<>();
            acceptor.getAcceptSetter().set(channel -> {
                try {
                    StreamConnection connection;
                    while ((connection = channel.accept()) != null) accepted.add(connection);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            acceptor.resumeAccepts();
            List<SocketChannel> clientSide = new ArrayList<>(sockets);
            boolean write = mode.equals("write");
            for (int i = 0; i < sockets; i++) {
                SocketChannel client = SocketChannel.open(acceptor.getLocalAddress(InetSocketAddress.class));
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client.configureBlocking(false);
                clientSide.add(client);
                StreamConnection server = accepted.poll(5, TimeUnit.SECONDS);
                if (server == null) throw new IOException("connection " + i + " was not accepted within 5 s");
                server.setOption(Options.TCP_NODELAY, true);
                byThread.computeIfAbsent(server.getIoThread(), t -> new ArrayList<>()).add(server);
                if (!write) {
                    // one buffer per I/O thread, as a node's: only that thread runs the listener
                    ByteBuffer buffer = readBuffers.computeIfAbsent(server.getIoThread(), t -> ByteBuffer.allocateDirect(64 * 1024));
                    server.getSourceChannel().getReadSetter().set(source -> {
                        try {
                            // One read per readiness event, as the NIO mode here and a node's WsSocket do
                            // (the selector is level-triggered: bytes left are reported again); reading
                            // until 0 would add a read that finds nothing to every message.
                            int read = source.read(buffer.clear());
                            if (read > 0) done.add(read);
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    });
                    server.getSourceChannel().resumeReads();
                }
            }
            List<Thread> threads = new ArrayList<>();
            List<Worker> clients = startClients(clientSide, write, threads);
            Thread timer = write ? Thread.ofPlatform().name("fan-out timer").start(this::fanOutEveryPeriod) : null;
            System.out.printf("%s (xnio): %d sockets, %d I/O threads, %d client threads, %d-byte messages at %d Hz; warm-up %d s%n",
                    mode, sockets, servers, readers, bytes, hz, warmupSeconds);
            Window window = measure(() -> serverCpu(timer), () -> cpu(clients), () -> messages(write));
            for (Thread thread : threads) thread.join(2000);
            if (timer != null) timer.join(2000);
            for (SocketChannel channel : clientSide) channel.close();
            acceptor.close();
            worker.shutdownNow();
            window.report(mode + " (xnio)");
        }

        private long messages(boolean write) {
            return write ? done.sum() : done.sum() / bytes;
        }

        /** Each period, every I/O thread gets one task that writes the message to each of its sockets. */
        private void fanOutEveryPeriod() {
            ByteBuffer message = ByteBuffer.allocateDirect(bytes);
            long period = TimeUnit.SECONDS.toNanos(1) / hz;
            long next = System.nanoTime();
            while (running) {
                byThread.forEach((thread, connections) -> thread.execute(() -> {
                    ByteBuffer view = message.duplicate();
                    for (StreamConnection connection : connections) {
                        view.clear();
                        try {
                            if (connection.getSinkChannel().write(view) == bytes) done.increment();
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    }
                }));
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            }
        }

        /** The worker's I/O threads' CPU, and the timer's. */
        private long serverCpu(Thread timer) {
            long total = timer == null ? 0 : THREADS.getThreadCpuTime(timer.threadId());
            for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
                if (info != null && info.getThreadName().startsWith("floor I/O")) {
                    total += THREADS.getThreadCpuTime(info.getThreadId());
                }
            }
            return total;
        }
    }
}
