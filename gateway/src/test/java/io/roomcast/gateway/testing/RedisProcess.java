package io.roomcast.gateway.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One {@code redis-server} process of this JVM on 127.0.0.1: started on a given port with
 * nothing persisted, ready once it answers PING, stopped by its PID. A shutdown hook kills any
 * still running when the JVM exits, so a test that forgets {@code close()} leaks nothing.
 * Used by {@link RedisServer} and {@link RedisCluster}.
 */
public final class RedisProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisProcess.class);
    static final String HOST = "127.0.0.1";
    static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "redis-fixture-reaper"));
    }

    private final Path dir;
    private final int port;
    private final List<String> extraArgs;
    private final boolean ownsDir;
    private volatile Process process;

    private RedisProcess(Path dir, boolean ownsDir, int port, List<String> extraArgs) {
        this.dir = dir;
        this.ownsDir = ownsDir;
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** The {@code redis-server} on PATH, if any. */
    public static Optional<Path> binary() {
        return onPath("redis-server");
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts {@code redis-server} on a free port of 127.0.0.1 (retrying on another port if it
     * lost the race for one), in a fresh temporary directory; {@code extraArgs} are added to its
     * command line.
     */
    public static RedisProcess startOnFreePort(List<String> extraArgs) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            RedisProcess redis = new RedisProcess(tempDir(), true, freePort(), extraArgs);
            try {
                redis.start();
                return redis;
            } catch (IllegalStateException e) {
                redis.close();
                last = e;
            }
        }
        throw last;
    }

    /** Starts {@code redis-server} on {@code port}, keeping its files in {@code dir}. */
    public static RedisProcess start(Path dir, int port, List<String> extraArgs) {
        RedisProcess redis = new RedisProcess(dir, false, port, extraArgs);
        redis.start();
        return redis;
    }

    private void start() {
        Path binary = binary().orElseThrow(() -> new IllegalStateException(
                "no redis-server on PATH: install it (apt-get install redis-server; .ci/run does)"));
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(port), "--bind", HOST,
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", dir.toString(), "--logfile", ""));
        command.addAll(extraArgs);
        Path logFile = log();
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
        RUNNING.add(process);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Resp.pings(HOST, port, Duration.ofMillis(500))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String why = process.isAlive() ? "did not answer PING within " + START_TIMEOUT.toSeconds() + " s"
                        : "exited with " + process.exitValue();
                stopProcess(false);
                throw new IllegalStateException("redis-server on port " + port + " " + why + "; its log:\n" + tail(logFile));
            }
            sleep(20);
        }
        log.debug("redis-server pid {} ready on {}:{}", process.pid(), HOST, port);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://" + HOST + ":" + port;
    }

    public long pid() {
        return process.pid();
    }

    public Path dir() {
        return dir;
    }

    public Path log() {
        return dir.resolve("redis-" + port + ".log");
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
    public void stop() {
        stopProcess(false);
    }

    /** SIGKILL: Redis dies without a word, as a crashed server would. */
    public void kill() {
        stopProcess(true);
    }

    /** Starts it again on the same port (after {@link #stop()} or {@link #kill()}), with an empty dataset. */
    public void restart() {
        if (isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is running");
        }
        start();
    }

    private void stopProcess(boolean force) {
        Process p = process;
        if (p == null) {
            return;
        }
        try {
            if (force) {
                p.destroyForcibly();
            } else {
                p.destroy();
                if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("redis-server pid {} still running {} s after SIGTERM: killing it", p.pid(), STOP_TIMEOUT.toSeconds());
                    p.destroyForcibly();
                }
            }
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("redis-server pid " + p.pid() + " did not exit");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(p);
        }
    }

    /** Stops the process and removes its temporary directory (when it made one). */
    @Override
    public void close() {
        stopProcess(false);
        if (ownsDir) {
            deleteTree(dir);
        }
    }

    // ───────────── helpers shared by the fixtures ─────────────

    /** A port nothing listens on right now (it may be taken before use: callers retry). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("roomcast-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}: {}", root, e.toString());
        }
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
