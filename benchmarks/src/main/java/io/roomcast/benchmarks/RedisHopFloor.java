package io.roomcast.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The floor under W2's Redis hop on the node's Redis client: what two nodes' Lettuce clients cost
 * for the traffic a W2 run sends between the nodes, with nothing else — no player sockets, no
 * rooms, no encoding or parsing (the messages are prepared bytes; a receiver only counts them).
 * Read beside {@link LoopbackFloor}'s W2 figure: the socket floor plus this one is what any
 * server on Undertow's socket layer and Lettuce pays for W2 before its own work.
 *
 * <p>Two "nodes" in one JVM, each with its own Lettuce resources (event loops), a publishing
 * connection and a pub/sub connection on its own channel. Each owns half of {@code --rooms}
 * rooms of {@code --players} players split over both nodes, as in W2, with its rooms on
 * {@code --phases} phases of the {@code --hz} tick. At every phase a node publishes, to the other,
 * one message with the states of its rooms of that phase ({@code --state-bytes} each) and one with
 * the inputs its players sent for the other's rooms of that phase ({@code --input-bytes} each, one
 * per player per tick); and every second, per room it owns, a snapshot {@code SET}
 * ({@code --snapshot-bytes}), a lease renewal ({@code EVAL} of a two-key {@code PEXPIRE}) and a
 * lease {@code GET} — the commands a node sent in a measured W2 run (redis-commandstats.txt);
 * {@code --commands off} leaves those out.
 *
 * <p>Measured: the CPU of the threads doing that work (the nodes' timers, which issue every
 * command, and Lettuce's event loops) per W2 delivery ({@code rooms x players x hz} states a
 * second), and of the whole process (the JIT and the collector too).
 *
 * <p>Needs a Redis: {@code --redis redis://host:port}, else {@code redis-server} from the PATH
 * on a free loopback port, stopped at the end. Run: {@code java -cp benchmarks/target/
 * benchmarks.jar io.roomcast.benchmarks.RedisHopFloor}; {@code --help} lists the options.
 */
public final class RedisHopFloor {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String RENEW = "redis.call('PEXPIRE', KEYS[1], ARGV[1]) redis.call('PEXPIRE', KEYS[2], ARGV[1]) return 1";

    private int rooms = 100;
    private int players = 8;
    private int hz = 20;
    private int phases = 2;
    private int stateBytes = 330;
    private int inputBytes = 60;
    private int snapshotBytes = 500;
    private boolean commands = true;
    private int warmupSeconds = 10;
    private int seconds = 20;
    private String redisUrl;

    public static void main(String[] args) throws Exception {
        RedisHopFloor floor = new RedisHopFloor();
        if (!floor.parse(args)) {
            System.out.println("""
                    usage: RedisHopFloor [--rooms N] [--players N] [--hz N] [--phases N] [--state-bytes N]
                                         [--input-bytes N] [--snapshot-bytes N] [--commands on|off]
                                         [--warmup S] [--seconds S] [--redis URL]
                      W2's traffic between two nodes through Redis pub/sub, on Lettuce, and nothing else
                      --commands off: the publishes only (no snapshot SET, lease EVAL and GET per room a second)
                    defaults: --rooms 100 --players 8 --hz 20 --phases 2 --state-bytes 330 --input-bytes 60
                              --snapshot-bytes 500 --commands on --warmup 10 --seconds 20 (redis-server from the PATH)""");
            System.exit(args.length > 0 && (args[0].equals("--help") || args[0].equals("-h")) ? 0 : 2);
        }
        THREADS.setThreadCpuTimeEnabled(true);
        if (floor.redisUrl != null) {
            floor.run(floor.redisUrl);
            return;
        }
        int port = freePort();
        Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Runtime.getRuntime().addShutdownHook(new Thread(redis::destroy)); // on Ctrl-C too
        awaitPort(port);
        try {
            floor.run("redis://127.0.0.1:" + port);
        } finally {
            redis.destroy();
            redis.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private boolean parse(String[] args) {
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || args[i].equals("--help")) {
                return false;
            }
            if (args[i].equals("--redis")) {
                redisUrl = args[i + 1];
                continue;
            }
            if (args[i].equals("--commands")) {
                if (!args[i + 1].equals("on") && !args[i + 1].equals("off")) {
                    return false;
                }
                commands = args[i + 1].equals("on");
                continue;
            }
            int value = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--rooms" -> rooms = value;
                case "--players" -> players = value;
                case "--hz" -> hz = value;
                case "--phases" -> phases = value;
                case "--state-bytes" -> stateBytes = value;
                case "--input-bytes" -> inputBytes = value;
                case "--snapshot-bytes" -> snapshotBytes = value;
                case "--warmup" -> warmupSeconds = value;
                case "--seconds" -> seconds = value;
                default -> {
                    return false;
                }
            }
        }
        return rooms >= 2 && players >= 2 && hz >= 1 && phases >= 1;
    }

    /** One of the two nodes: its Lettuce resources, connections and timer. */
    private final class Node implements AutoCloseable {
        final String name;
        final ClientResources resources;
        final RedisClient client;
        final StatefulRedisConnection<byte[], byte[]> connection;
        final StatefulRedisPubSubConnection<byte[], byte[]> subscription;
        final ScheduledExecutorService timer;
        final LongAdder received = new LongAdder();
        final LongAdder receivedBytes = new LongAdder();

        Node(String name, String url) {
            this.name = name;
            this.resources = DefaultClientResources.builder().build();
            this.client = RedisClient.create(resources, RedisURI.create(url));
            this.connection = client.connect(ByteArrayCodec.INSTANCE);
            this.subscription = client.connectPubSub(ByteArrayCodec.INSTANCE);
            subscription.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    received.increment();
                    receivedBytes.add(message.length);
                }
            });
            subscription.sync().subscribe(channel(name));
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "hop-timer-" + name));
        }

        /** Publishes its share of W2's traffic to {@code other}, from now on. */
        void start(Node other, Random random) {
            int ownRooms = rooms / 2;
            int roomsPerPhase = Math.max(1, ownRooms / phases);
            int remotePlayers = players / 2;
            byte[] states = bytes(roomsPerPhase * stateBytes, random);
            byte[] inputs = bytes(roomsPerPhase * remotePlayers * inputBytes, random);
            byte[] snapshot = bytes(snapshotBytes, random);
            byte[] to = channel(other.name);
            RedisAsyncCommands<byte[], byte[]> redis = connection.async();
            long phaseNanos = TimeUnit.SECONDS.toNanos(1) / ((long) hz * phases);
            timer.scheduleAtFixedRate(() -> {
                redis.publish(to, states);
                redis.publish(to, inputs);
            }, phaseNanos, phaseNanos, TimeUnit.NANOSECONDS);
            if (!commands) {
                return;
            }
            // Per owned room and second: a snapshot, a lease renewal and a lease read, one room at a time.
            long roomNanos = TimeUnit.SECONDS.toNanos(1) / ownRooms;
            int[] next = {0};
            timer.scheduleAtFixedRate(() -> {
                int room = next[0]++ % ownRooms;
                byte[] lease = key("lease", room);
                redis.set(key("snapshot", room), snapshot, SetArgs.Builder.px(60_000));
                redis.eval(RENEW, ScriptOutputType.INTEGER, new byte[][]{lease, key("seats", room)},
                        "5000".getBytes(StandardCharsets.UTF_8));
                redis.get(lease);
            }, roomNanos, roomNanos, TimeUnit.NANOSECONDS);
        }

        private byte[] key(String kind, int room) {
            return ("hop:" + name + ":" + kind + ":" + room).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            timer.shutdownNow();
            subscription.close();
            connection.close();
            client.shutdown();
            resources.shutdown();
        }
    }

    private void run(String url) throws InterruptedException {
        Random random = new Random(1);
        try (Node a = new Node("a", url); Node b = new Node("b", url)) {
            a.start(b, random);
            b.start(a, random);
            System.out.printf("redis hop floor: %d rooms x %d players at %d Hz, %d phases; warming up %d s, measuring %d s%n",
                    rooms, players, hz, phases, warmupSeconds, seconds);
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
            long[] workStart = workThreadsCpu();
            long processStart = processCpuNanos();
            long receivedStart = a.received.sum() + b.received.sum();
            long bytesStart = a.receivedBytes.sum() + b.receivedBytes.sum();
            long wallStart = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            double wall = (System.nanoTime() - wallStart) / 1e9;
            long[] workEnd = workThreadsCpu();
            long process = processCpuNanos() - processStart;
            long messages = a.received.sum() + b.received.sum() - receivedStart;
            long bytes = a.receivedBytes.sum() + b.receivedBytes.sum() - bytesStart;
            double deliveries = (double) rooms * players * hz * wall;
            long timers = workEnd[0] - workStart[0];
            long loops = workEnd[1] - workStart[1];
            System.out.printf("received %.0f messages/s (%.0f KB/s) over pub/sub; %d commands/s besides%n",
                    messages / wall, bytes / wall / 1024, commands ? 3 * rooms : 0);
            System.out.printf("threads  timers %.3f cores, Lettuce event loops %.3f cores; process %.3f cores%n",
                    timers / 1e9 / wall, loops / 1e9 / wall, process / 1e9 / wall);
            System.out.printf("result   redis hop: %.2f us of client CPU per W2 delivery (timers + event loops; process %.2f)%n",
                    (timers + loops) / 1e3 / deliveries, process / 1e3 / deliveries);
        }
    }

    /** CPU of the nodes' timers and of Lettuce's event loops, in nanoseconds. */
    private static long[] workThreadsCpu() {
        long timers = 0;
        long loops = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            if (info.getThreadName().startsWith("hop-timer-")) {
                timers += cpu;
            } else if (info.getThreadName().startsWith("lettuce-")) {
                loops += cpu;
            }
        }
        return new long[]{timers, loops};
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static byte[] channel(String node) {
        return ("hop:node:" + node).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int length, Random random) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not listen on " + port + " within 10 s");
    }
}
