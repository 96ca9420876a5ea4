package io.roomcast.bots;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * "chaos": {@code play} on a local cluster it starts itself ({@code deploy/local-cluster up}:
 * Redis, N gateways, HAProxy, all on 127.0.0.1), with a seeded sequence of faults — kill -9,
 * SIGTERM, Redis restarts with and without their data, a 10 s Redis outage — and the failure
 * model's promises as the pass criteria: no seat lost, no event lost or twice, never a stale
 * owner's state. The cluster is stopped at the end ({@code down}).
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false,
        description = "play on a local cluster it starts, with seeded faults (kill -9, SIGTERM, Redis restarts); fails on a seat or event lost.")
public final class Chaos extends Play {

    static final String ALL_FAULTS = "kill,term,redis-restart,redis-empty,redis-outage";

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "Gateways in the cluster. Default: ${DEFAULT-VALUE}")
    int nodes;

    @Option(names = "--logs", paramLabel = "DIR", description = "Keep the cluster's logs (gateways, Redis, HAProxy) in DIR.")
    Path logs;

    @Override
    public String name() {
        return "chaos";
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (nodes < 2) {
            err.println("roomcast-bots: --nodes must be >= 2 (a fault needs a node to move to)");
            err.flush();
            return Main.EXIT_USAGE;
        }
        if (clusterDir != null || !options.url.isEmpty()) {
            err.println("roomcast-bots: chaos starts its own cluster: use play --faults with --cluster-dir and --url for one already running");
            err.flush();
            return Main.EXIT_USAGE;
        }
        if (faults == null) {
            faults = ALL_FAULTS;
        }
        Path script = localCluster != null ? localCluster : Faults.findScript();
        clusterDir = Files.createTempDirectory("roomcast-chaos");
        Map<String, String> env = new HashMap<>(clusterEnv);
        env.put("ROOMCAST_CLUSTER_DIR", clusterDir.toString());
        localCluster = script;
        // Stopped (Ctrl-C, SIGTERM) before the end: the cluster it started is stopped too, not left running.
        Thread stopCluster = new Thread(() -> {
            try {
                script(script, env, err, "down");
                deleteQuietly(clusterDir);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "chaos-cluster-down");
        Runtime.getRuntime().addShutdownHook(stopCluster);
        try {
            err.println("roomcast-bots: starting a local cluster of " + nodes + " gateways in " + clusterDir);
            err.flush();
            if (script(script, env, err, "up", "--nodes", Integer.toString(nodes)) != 0) {
                err.println("roomcast-bots: the local cluster did not start (its logs: " + clusterDir + ")");
                err.flush();
                return Main.EXIT_CANNOT_RUN;
            }
            options.url = new ArrayList<>(List.of("ws://127.0.0.1:" + lbPort() + "/ws"));
            return super.call();
        } finally {
            keepLogs(err);
            script(script, env, err, "down");
            deleteQuietly(clusterDir);
            try {
                Runtime.getRuntime().removeShutdownHook(stopCluster);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) anyway: a second "down" finds nothing to stop
            }
        }
    }

    private void keepLogs(PrintWriter err) {
        if (logs == null) {
            return;
        }
        try (Stream<Path> files = Files.list(clusterDir)) {
            Files.createDirectories(logs);
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.copy(log, logs.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            err.println("roomcast-bots: the cluster's logs are in " + logs);
        } catch (IOException e) {
            err.println("roomcast-bots: could not keep the logs: " + e.getMessage());
        }
        err.flush();
    }

    private String lbPort() throws IOException {
        Properties cluster = new Properties();
        try (var reader = Files.newBufferedReader(clusterDir.resolve("cluster.env"))) {
            cluster.load(reader);
        }
        return cluster.getProperty("LB_PORT");
    }

    /** Runs the local-cluster script, its output to {@code err}; its exit code. */
    private static int script(Path script, Map<String, String> env, PrintWriter err, String... args) throws InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return -1;
            }
            output.lines().forEach(line -> err.println("local-cluster: " + line));
            err.flush();
            return process.exitValue();
        } catch (IOException e) {
            err.println("roomcast-bots: " + script + ": " + e.getMessage());
            err.flush();
            return -1;
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
