package io.roomcast.gateway.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster for a test class: {@code masters} (3 by default) {@code redis-server
 * --cluster-enabled yes} processes on free ports of 127.0.0.1 (each with its cluster bus port
 * picked free too), joined by {@code redis-cli --cluster create ... --cluster-replicas 0},
 * ready when every node reports {@code cluster_state:ok}; stopped by their PIDs. Needs
 * {@code redis-server} and {@code redis-cli} 7+ on PATH (Debian's redis-server package).
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.start()) {
 *     Node node = TestNodes.start(config -> { config.redisUrl = cluster.seedUrl(); config.redisCluster = true; });
 *     ...
 * }
 * }</pre>
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    private final Path dir;
    private final List<RedisProcess> nodes;

    private RedisCluster(Path dir, List<RedisProcess> nodes) {
        this.dir = dir;
        this.nodes = nodes;
    }

    public static RedisCluster start() {
        return start(3);
    }

    public static RedisCluster start(int masters) {
        if (masters < 3) {
            throw new IllegalArgumentException("a Redis Cluster needs at least 3 masters, asked for " + masters);
        }
        Path redisCli = RedisProcess.onPath("redis-cli").orElseThrow(() -> new IllegalStateException(
                "no redis-cli on PATH: install redis-server (apt-get install redis-server; .ci/run does)"));
        long started = System.nanoTime();
        Path dir = RedisProcess.tempDir();
        List<RedisProcess> nodes = new ArrayList<>();
        RedisCluster cluster = new RedisCluster(dir, nodes);
        try {
            for (int i = 0; i < masters; i++) {
                nodes.add(startNode(dir));
            }
            List<String> create = new ArrayList<>(List.of(redisCli.toString(), "--cluster", "create"));
            nodes.forEach(node -> create.add(RedisProcess.HOST + ":" + node.port()));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create, dir.resolve("cluster-create.log"));
            cluster.awaitState("ok");
            log.info("Redis Cluster of {} masters ready on ports {} in {} ms", masters, cluster.ports(),
                    (System.nanoTime() - started) / 1_000_000);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** A master on a free port with a free cluster bus port (retrying if it lost the race for one). */
    private static RedisProcess startNode(Path dir) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = RedisProcess.freePort();
            int busPort = RedisProcess.freePort();
            try {
                return RedisProcess.start(dir, port, List.of(
                        "--cluster-enabled", "yes",
                        "--cluster-port", Integer.toString(busPort),
                        "--cluster-config-file", "nodes-" + port + ".conf",
                        "--cluster-node-timeout", "2000"));
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    private static void run(List<String> command, Path logFile) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(logFile.toFile()).start();
            if (!process.waitFor(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within "
                        + READY_TIMEOUT.toSeconds() + " s; its output:\n" + RedisProcess.tail(logFile));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` exited with "
                        + process.exitValue() + "; its output:\n" + RedisProcess.tail(logFile));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Waits until every running node reports {@code cluster_state:<state>}. */
    public void awaitState(String state) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            boolean all = true;
            for (RedisProcess node : nodes) {
                if (node.isAlive() && !state.equals(clusterInfoOrEmpty(node).get("cluster_state"))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis Cluster not cluster_state:" + state + " within "
                        + READY_TIMEOUT.toSeconds() + " s: " + clusterInfoOrEmpty(nodes.getFirst()));
            }
            RedisProcess.sleep(50);
        }
    }

    // ───────────── where it is ─────────────

    /** The URL of the first master; a cluster client discovers the others from it. */
    public String seedUrl() {
        return nodes.getFirst().url();
    }

    /** Every master's {@code redis://127.0.0.1:port}. */
    public List<String> urls() {
        return nodes.stream().map(RedisProcess::url).toList();
    }

    public List<Integer> ports() {
        return nodes.stream().map(RedisProcess::port).toList();
    }

    /** The redis-server processes, in start order (to kill or stop one). */
    public List<RedisProcess> nodes() {
        return List.copyOf(nodes);
    }

    // ───────────── what it says ─────────────

    /** {@code CLUSTER INFO} of the first running node. */
    public Map<String, String> clusterInfo() {
        RedisProcess node = nodes.stream().filter(RedisProcess::isAlive).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of the cluster runs"));
        return RedisServer.parseInfo((String) command(node, "CLUSTER", "INFO"));
    }

    /** How many nodes {@code CLUSTER NODES} lists as master (failed ones included). */
    public int masterCount() {
        RedisProcess node = nodes.stream().filter(RedisProcess::isAlive).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of the cluster runs"));
        String text = (String) command(node, "CLUSTER", "NODES");
        int masters = 0;
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length > 2 && List.of(fields[2].split(",")).contains("master")) {
                masters++;
            }
        }
        return masters;
    }

    /** {@code calls} of {@code command} in {@code INFO commandstats}, summed over the running nodes. */
    public long commandCount(String command) {
        long total = 0;
        for (RedisProcess node : nodes) {
            if (node.isAlive()) {
                total += RedisServer.commandCount(RedisServer.parseInfo((String) command(node, "INFO", "commandstats")), command);
            }
        }
        return total;
    }

    private static Object command(RedisProcess node, String... args) {
        try {
            return Resp.call(RedisProcess.HOST, node.port(), COMMAND_TIMEOUT, args);
        } catch (IOException e) {
            throw new UncheckedIOException("Redis Cluster node " + node.url() + " did not answer " + String.join(" ", args), e);
        }
    }

    private static Map<String, String> clusterInfoOrEmpty(RedisProcess node) {
        try {
            return RedisServer.parseInfo((String) Resp.call(RedisProcess.HOST, node.port(), COMMAND_TIMEOUT, "CLUSTER", "INFO"));
        } catch (IOException | Resp.ErrorReply e) {
            return Map.of();
        }
    }

    /** Stops every node (SIGTERM, then SIGKILL after 5 s) and removes their files. */
    @Override
    public void close() {
        nodes.forEach(RedisProcess::stop);
        RedisProcess.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "Redis Cluster " + urls();
    }
}
