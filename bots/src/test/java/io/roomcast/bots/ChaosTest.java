package io.roomcast.bots;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short chaos run: {@code bots chaos} starts a local cluster (Redis, 3 gateways of this
 * build, HAProxy; deploy/local-cluster), 20 bots play through the load balancer, and one of each
 * fault hits it in a seeded order — kill -9 of a gateway, SIGTERM (drain), Redis restarted with
 * its data, Redis back empty, a 10 s Redis outage. What a player would check: no seat lost, no
 * room event lost or heard twice, never a deposed owner's state, at most a snapshot interval of
 * play undone. The long run and its figures are in docs/operations.md.
 */
class ChaosTest {

    @TempDir
    Path dir;

    @Test
    void aSeededRunOfEveryFaultBreaksNoPromiseToThePlayers() throws Exception {
        Path json = dir.resolve("chaos.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"chaos", "--nodes", "3", "--bots", "20", "--seed", "7",
                "--warmup", "3s", "--duration", "55s", "--drain", "12s", "--fault-every", "11s",
                "--faults", Chaos.ALL_FAULTS, "--local-cluster", repoRoot().resolve("deploy/local-cluster").toString(),
                "--cluster-env", "ROOMCAST_GATEWAY_CLASSPATH=" + gatewayClasspath(),
                "--cluster-env", "JAVA_HOME=" + System.getProperty("java.home"),
                "--logs", dir.resolve("logs").toString(), "--report-json", json.toString(), "--no-progress"},
                new PrintWriter(out, true), new PrintWriter(err, true));

        String what = out + "\n" + err + "\n" + logTails(dir.resolve("logs"));
        assertEquals(0, exit, "the chaos run passed its promises:\n" + what);
        Object report = MiniJson.parse(Files.readString(json));
        assertTrue(MiniJson.num(report, "results.faults_injected") >= 5, "every kind of fault was injected: " + what);
        for (String promise : List.of("seats_lost", "events_lost", "events_duplicated", "stale_owner_states", "tick_regressions")) {
            assertEquals(0.0, MiniJson.num(report, "results." + promise), promise + "\n" + what);
        }
        assertTrue(MiniJson.num(report, "results.chats_received") > 100, "room events flowed: " + what);
        Map<?, ?> rollback = latency(report, "rollback");
        // A takeover goes on from the last snapshot (every 20 ticks, 1 s at 20 Hz), plus inputs in flight.
        assertTrue(((Number) rollback.get("max_ms")).doubleValue() <= 1300, "at most a snapshot interval undone: " + rollback);
    }

    private static Map<?, ?> latency(Object report, String name) {
        for (Object l : (List<?>) MiniJson.at(report, "latencies")) {
            if (name.equals(((Map<?, ?>) l).get("name"))) {
                return (Map<?, ?>) l;
            }
        }
        throw new AssertionError("no latency " + name);
    }

    private static String logTails(Path logs) {
        StringBuilder tails = new StringBuilder();
        try (var files = Files.list(logs)) {
            for (Path log : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                tails.append("== ").append(log.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> tails.append(l).append('\n'));
            }
        } catch (Exception e) {
            tails.append("(no logs: ").append(e).append(")");
        }
        return tails.toString();
    }

    private static Path repoRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("deploy/local-cluster")) && Files.isRegularFile(d.resolve("mvnw"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    /** This build's gateway (a test dependency of the bots) and what it needs. */
    private static String gatewayClasspath() {
        String classpath = System.getProperty("surefire.test.class.path");
        return classpath != null && !classpath.isBlank() ? classpath : System.getProperty("java.class.path");
    }
}
