package io.roomcast.gateway.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A real Redis for a test class, from the first of these that is there:
 * <ol>
 *   <li>{@link Kind#CONTAINER}: Testcontainers' {@code redis:7-alpine}, when a Docker engine is
 *       reachable (finding out there is none takes about half a second, once per JVM);</li>
 *   <li>{@link Kind#PROCESS}: the {@code redis-server} on PATH, on a free port of 127.0.0.1,
 *       nothing persisted, stopped by its PID ({@link RedisProcess});</li>
 *   <li>{@link Kind#EXTERNAL}: the server named by the {@code REDIS_URL} environment variable
 *       (shared: never stopped, never flushed).</li>
 * </ol>
 * {@code -Droomcast.test.redis=container|process|external} (or the environment variable
 * {@code ROOMCAST_TEST_REDIS}) forces one. The choice is logged.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *     Node node = TestNodes.start(config -> config.redisUrl = redis.url());
 *     ...
 *     assertEquals(1, redis.commandCount("publish"));
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {

    public enum Kind { CONTAINER, PROCESS, EXTERNAL }

    private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
    private static final String IMAGE = "redis:7-alpine";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static volatile Kind detected;

    private final Kind kind;
    private final GenericContainer<?> container;
    private final RedisProcess process;
    private final String host;
    private final int port;

    private RedisServer(Kind kind, GenericContainer<?> container, RedisProcess process, String host, int port) {
        this.kind = kind;
        this.container = container;
        this.process = process;
        this.host = host;
        this.port = port;
    }

    /** Starts (or, for {@link Kind#EXTERNAL}, reaches) a Redis; see the class comment for which. */
    public static RedisServer start() {
        Kind kind = availableKind();
        return switch (kind) {
            case CONTAINER -> startContainer();
            case PROCESS -> {
                RedisProcess redis = RedisProcess.startOnFreePort(List.of());
                yield new RedisServer(kind, null, redis, RedisProcess.HOST, redis.port());
            }
            case EXTERNAL -> external();
        };
    }

    /** Which kind of Redis {@link #start()} gives in this JVM (detected once, then cached). */
    public static Kind availableKind() {
        Kind kind = detected;
        if (kind == null) {
            synchronized (RedisServer.class) {
                if (detected == null) {
                    detected = detect();
                }
                kind = detected;
            }
        }
        return kind;
    }

    private static Kind detect() {
        String forced = Optional.ofNullable(System.getProperty("roomcast.test.redis"))
                .orElse(System.getenv("ROOMCAST_TEST_REDIS"));
        if (forced != null && !forced.isBlank()) {
            Kind kind = Kind.valueOf(forced.trim().toUpperCase(Locale.ROOT));
            log.info("Redis for tests: {} (forced by roomcast.test.redis / ROOMCAST_TEST_REDIS)", kind);
            return kind;
        }
        long started = System.nanoTime();
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            docker = false;
        }
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        if (docker) {
            log.info("Redis for tests: a Testcontainers {} (Docker engine found in {} ms)", IMAGE, tookMs);
            return Kind.CONTAINER;
        }
        Optional<java.nio.file.Path> binary = RedisProcess.binary();
        if (binary.isPresent()) {
            log.info("Redis for tests: {} on a free port (no Docker engine, checked in {} ms)", binary.get(), tookMs);
            return Kind.PROCESS;
        }
        String url = System.getenv("REDIS_URL");
        if (url != null && !url.isBlank()) {
            log.info("Redis for tests: REDIS_URL={} (no Docker engine, no redis-server on PATH)", url);
            return Kind.EXTERNAL;
        }
        throw new IllegalStateException("no Redis for the tests: no Docker engine, no redis-server on PATH "
                + "(apt-get install redis-server; .ci/run does), no REDIS_URL");
    }

    private static RedisServer startContainer() {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withExposedPorts(6379)
                .withCommand("redis-server", "--save", "", "--appendonly", "no")
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1))
                .withStartupTimeout(Duration.ofSeconds(60));
        container.start();
        return new RedisServer(Kind.CONTAINER, container, null, container.getHost(), container.getMappedPort(6379));
    }

    private static RedisServer external() {
        String url = System.getenv("REDIS_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("Redis kind EXTERNAL needs REDIS_URL, e.g. redis://127.0.0.1:6379");
        }
        URI uri = URI.create(url.trim());
        return new RedisServer(Kind.EXTERNAL, null, null, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379);
    }

    // ───────────── where it is ─────────────

    public Kind kind() {
        return kind;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code redis://host:port}, as {@code --redis-url} / {@code REDIS_URL} take it. */
    public String url() {
        return "redis://" + host + ":" + port;
    }

    // ───────────── what it saw ─────────────

    /** One command on a fresh connection (see {@link Resp} for the reply types). */
    public Object command(String... args) {
        try {
            return Resp.call(host, port, COMMAND_TIMEOUT, args);
        } catch (IOException e) {
            throw new UncheckedIOException("Redis at " + url() + " did not answer " + String.join(" ", args), e);
        }
    }

    /** The fields of one {@code INFO} section, e.g. {@code info("commandstats")}. */
    public Map<String, String> info(String section) {
        return parseInfo((String) command("INFO", section));
    }

    /**
     * How many times {@code command} (e.g. {@code "publish"}, {@code "spublish"}; any case) ran
     * since the start or the last {@link #resetStats()}: {@code calls} of {@code INFO commandstats}.
     */
    public long commandCount(String command) {
        return commandCount(info("commandstats"), command);
    }

    /** {@code CONFIG RESETSTAT}: command counts start again from zero. */
    public void resetStats() {
        command("CONFIG", "RESETSTAT");
    }

    static long commandCount(Map<String, String> commandstats, String command) {
        String stats = commandstats.get("cmdstat_" + command.toLowerCase(Locale.ROOT).replace(' ', '|'));
        if (stats == null) {
            return 0;
        }
        for (String field : stats.split(",")) {
            if (field.startsWith("calls=")) {
                return Long.parseLong(field.substring("calls=".length()));
            }
        }
        return 0;
    }

    static Map<String, String> parseInfo(String text) {
        Map<String, String> fields = new TreeMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (!line.isEmpty() && !line.startsWith("#") && colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    // ───────────── failures ─────────────

    public boolean isRunning() {
        return switch (kind) {
            case CONTAINER -> container.isRunning();
            case PROCESS -> process.isAlive();
            case EXTERNAL -> Resp.pings(host, port, COMMAND_TIMEOUT);
        };
    }

    /**
     * Every {@code rc:*} key except those of live nodes ({@code rc:{node:<id>}:alive} and
     * {@code :sessions}, and the node list {@code rc:nodes}, which live as long as their nodes and
     * players): what rooms and games left in Redis, sorted.
     */
    public List<String> roomKeys() {
        return ((List<?>) command("KEYS", "rc:*")).stream().map(String::valueOf)
                .filter(key -> !key.startsWith("rc:{node:") && !key.equals("rc:nodes")).sorted().toList();
    }

    /** Redis dies at once (SIGKILL; the container is killed). Not for {@link Kind#EXTERNAL}. */
    public void kill() {
        switch (kind) {
            case CONTAINER -> container.getDockerClient().killContainerCmd(container.getContainerId()).exec();
            case PROCESS -> process.kill();
            case EXTERNAL -> throw new UnsupportedOperationException("a REDIS_URL server is not ours to kill");
        }
    }

    /**
     * Redis stops answering, as in a long stall of its machine: SIGSTOP (a container is paused).
     * Its sockets stay open and commands sent meanwhile wait in them; {@link #thaw} resumes it and
     * it runs them. Not for {@link Kind#EXTERNAL}.
     */
    public void freeze() {
        switch (kind) {
            case CONTAINER -> container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
            case PROCESS -> signal("STOP");
            case EXTERNAL -> throw new UnsupportedOperationException("a REDIS_URL server is not ours to freeze");
        }
    }

    /** Resumes a {@link #freeze frozen} Redis. */
    public void thaw() {
        switch (kind) {
            case CONTAINER -> container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
            case PROCESS -> signal("CONT");
            case EXTERNAL -> throw new UnsupportedOperationException("a REDIS_URL server is not ours to thaw");
        }
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending SIG" + name + " to Redis", e);
        }
    }

    /**
     * Starts a killed or stopped Redis again on the same port, empty (a Redis restart). Only a
     * {@link Kind#PROCESS} Redis can: a container would come back on another mapped port.
     */
    public void restart() {
        if (kind != Kind.PROCESS) {
            throw new UnsupportedOperationException("restart() needs a redis-server process, this Redis is " + kind
                    + " (-Droomcast.test.redis=process forces one)");
        }
        process.restart();
    }

    /** The redis-server's PID ({@link Kind#PROCESS} only). */
    public long pid() {
        if (kind != Kind.PROCESS) {
            throw new UnsupportedOperationException("no PID: this Redis is " + kind);
        }
        return process.pid();
    }

    /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes its files; an EXTERNAL one is left alone. */
    @Override
    public void close() {
        switch (kind) {
            case CONTAINER -> container.stop();
            case PROCESS -> process.close();
            case EXTERNAL -> { }
        }
    }

    @Override
    public String toString() {
        return "Redis " + kind + " at " + url();
    }
}
