package io.roomcast.bots;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI, run in-process (its {@code execute}), against a real node started in this JVM:
 * short W1 and W2 runs deliver every message with no error and write both reports; a target
 * where nothing listens is one clear line and a non-zero exit.
 */
class BotsAgainstARealNodeTest {

    private static Node node;
    private static String url;

    @TempDir
    Path dir;

    @BeforeAll
    static void startNode() {
        NodeConfig config = NodeConfig.defaults();
        config.host = "127.0.0.1";
        config.port = 0;
        config.nodeId = "";
        config.maxPlayersPerRoom = 200;
        config.maxEmitsPerSecond = 100;
        // The bots connect from one address, faster than a player would: lift the per-address limits.
        config.maxHandshakesPerIpPerSecond = 100_000;
        config.maxConnectionsPerIp = 100_000;
        node = new Node(config).start();
        url = "ws://127.0.0.1:" + node.port() + "/ws";
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private record Outcome(int exit, String out, String err) {}

    private static Outcome cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(exit, out.toString(), err.toString());
    }

    private static List<String> shortRun(String scenario, Path json, Path html, String... more) {
        List<String> args = new ArrayList<>(List.of(scenario, "--url", url, "--warmup", "1s", "--duration", "3s",
                "--drain", "1s", "--report-json", json.toString(), "--report-html", html.toString(),
                "--server-pid", "node=" + ProcessHandle.current().pid(), "--no-progress"));
        args.addAll(List.of(more));
        return args;
    }

    private static void assertNoErrors(Object report) {
        assertEquals(0, MiniJson.num(report, "errors.connect"), "connect errors");
        assertEquals(0, MiniJson.num(report, "errors.protocol"), "protocol errors: " + MiniJson.at(report, "errors.by_kind"));
        assertEquals(0, MiniJson.num(report, "errors.dropped"), "dropped connections");
        assertEquals(0, MiniJson.num(report, "errors.send"), "send errors");
    }

    private static void assertSelfContainedHtml(Path html) throws Exception {
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>"));
        assertTrue(page.split("<svg", -1).length - 1 >= 2, "a percentile plot and a timeline");
        assertTrue(page.contains("<polyline"), "plotted series");
        assertFalse(page.contains("<script"), "no script");
        assertFalse(page.contains("src=\"http") || page.contains("href=\"http"), "nothing loaded from elsewhere");
    }

    @Test
    void w2DeliversEveryTickToEveryPlayerAndSeesEveryInput() throws Exception {
        Path json = dir.resolve("w2.json");
        Path html = dir.resolve("w2.html");

        Outcome run = cli(shortRun("w2", json, html, "--rooms", "6").toArray(String[]::new));

        assertEquals(0, run.exit(), run.err());
        Object report = MiniJson.parse(Files.readString(json));
        assertNoErrors(report);
        assertEquals(48.0, MiniJson.num(report, "connections.connected_at_window_end"));
        assertEquals(48.0, MiniJson.num(report, "results.players_seated"));
        double expected = MiniJson.num(report, "messages.expected");
        assertTrue(expected >= 48 * 59, "about 60 ticks of 48 players in 3 s, was " + expected);
        assertEquals(expected, MiniJson.num(report, "messages.delivered"), "every state of the window delivered");
        assertEquals(0.0, MiniJson.num(report, "messages.loss"));
        double perClient = MiniJson.num(report, "results.states_per_s_per_client");
        assertTrue(perClient > 19.5 && perClient < 20.5, "20 states/s per client, was " + perClient);
        assertEquals(0.0, MiniJson.num(report, "results.tick_gaps"));
        double inputs = MiniJson.num(report, "results.inputs_sent_in_window");
        assertEquals(48.0 * 60, inputs, "20 inputs/s x 3 s x 48 players on their fixed schedule");
        assertEquals(inputs, MiniJson.num(report, "results.inputs_visible_in_window"), "every input became visible");
        List<?> latencies = (List<?>) MiniJson.at(report, "latencies");
        assertEquals("input_to_visible", MiniJson.at(latencies.getFirst(), "name"));
        assertEquals(inputs, MiniJson.num(latencies.getFirst(), "count"));
        // The node (this JVM, --server-pid) served 48 players for 3 s: its CPU was measured, and is not zero.
        double nodeCpu = MiniJson.num(report, "cpu.node_cpu_seconds");
        assertTrue(nodeCpu > 0, "the node used CPU serving the run: node_cpu_seconds " + nodeCpu);
        // The node runs in this JVM: its I/O threads read every input and write every state.
        List<?> pools = (List<?>) MiniJson.at(((List<?>) MiniJson.at(report, "cpu.servers")).getFirst(), "cpu_by_threads");
        Object io = pools.stream().filter(p -> String.valueOf(MiniJson.at(p, "threads")).contains("I/O")).findFirst()
                .orElseThrow(() -> new AssertionError("no I/O threads in " + pools));
        assertTrue(MiniJson.num(io, "cpu_seconds") > 0, "the I/O threads worked: " + io);
        assertTrue(MiniJson.num(io, "wake_ups_per_s") > 0, "and slept between inputs: " + io);
        assertTrue(run.out().contains("by threads: "), run.out());
        assertSelfContainedHtml(html);
        assertTrue(run.out().contains("loss 0.0000%"), run.out());
    }

    @Test
    void w1DeliversEveryEmitToEverySubscriberAndAFailedThresholdExitsNonZero() throws Exception {
        Path json = dir.resolve("w1.json");
        Path html = dir.resolve("w1.html");

        Outcome run = cli(shortRun("w1", json, html, "--subscribers", "50", "--rate", "20", "--payload-bytes", "100",
                "--max-p99-ms", "0.001").toArray(String[]::new));

        assertEquals(Main.EXIT_THRESHOLD, run.exit(), "p99 above 1 µs fails the stated threshold: " + run.err());
        assertTrue(run.err().contains("threshold failed: broadcast p99"), run.err());
        Object report = MiniJson.parse(Files.readString(json));
        assertNoErrors(report);
        assertEquals(60.0, MiniJson.num(report, "results.events_published_in_window"), "20/s for 3 s");
        assertEquals(60.0 * 50, MiniJson.num(report, "messages.expected"));
        assertEquals(60.0 * 50, MiniJson.num(report, "messages.delivered"));
        assertEquals(0.0, MiniJson.num(report, "results.sequence_gaps"));
        assertEquals(false, MiniJson.at(report, "thresholds.passed"));
        assertSelfContainedHtml(html);
    }

    @Test
    void idleConnectionsAnswerEveryPingAndTheNodeIsWeighedWithThemOpen() throws Exception {
        Path json = dir.resolve("idle.json");
        Path html = dir.resolve("idle.html");

        // No --server-pid: jcmd cannot attach to this test JVM (it hangs), and the node shares it with the bots.
        Outcome run = cli("idle", "--url", url, "--warmup", "1s", "--duration", "3s", "--drain", "1s", "--report-json",
                json.toString(), "--report-html", html.toString(), "--no-progress", "--connections", "30", "--ping-every", "1");

        assertEquals(0, run.exit(), run.err());
        Object report = MiniJson.parse(Files.readString(json));
        assertNoErrors(report);
        assertEquals(30.0, MiniJson.num(report, "results.connections_open_at_load_end"));
        double pings = MiniJson.num(report, "messages.expected");
        assertTrue(pings >= 30 * 3, "each connection pings once a second, was " + pings);
        assertEquals(pings, MiniJson.num(report, "messages.delivered"), "every ping answered");
        assertSelfContainedHtml(html);
    }

    @Test
    void playReportsStatesPerBotAgainstTheTickRateAndNoLossFigure() throws Exception {
        Path json = dir.resolve("play.json");
        Path html = dir.resolve("play.html");

        Outcome run = cli(shortRun("play", json, html, "--bots", "4", "--rejoin-every", "0", "--chat-every", "0")
                .toArray(String[]::new));

        assertEquals(0, run.exit(), run.err());
        Object report = MiniJson.parse(Files.readString(json));
        assertNoErrors(report);
        assertEquals(null, MiniJson.at(report, "messages.loss"), "play has no expected count: no loss figure");
        assertEquals(null, MiniJson.at(report, "messages.expected"));
        assertTrue(MiniJson.num(report, "messages.delivered") > 0);
        assertEquals(20.0, MiniJson.num(report, "results.room_tick_rate_hz"), "orb-rush ticks at 20 Hz");
        double perBot = MiniJson.num(report, "results.states_per_s_per_bot");
        assertTrue(perBot > 18 && perBot < 22, "about one state per tick per bot, was " + perBot);
        assertFalse(run.out().matches("(?s).*loss [0-9].*"), "no loss figure: " + run.out());
        assertTrue(run.out().contains("result     room_tick_rate_hz = 20"), run.out());
    }

    @Test
    void playRefusesMaxLossItCouldNeverCheck() {
        Outcome run = cli("play", "--url", url, "--max-loss", "0.01", "--no-progress");

        assertEquals(Main.EXIT_USAGE, run.exit(), run.err());
        assertTrue(run.err().contains("--max-loss does not apply to play"), run.err());
    }

    @Test
    void aTargetWhereNothingListensIsOneClearLineAndANonZeroExit() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }

        Outcome run = cli("w1", "--url", "ws://127.0.0.1:" + port + "/ws", "--subscribers", "10", "--no-progress");

        assertEquals(Main.EXIT_CANNOT_RUN, run.exit());
        assertEquals("roomcast-bots: cannot connect to ws://127.0.0.1:" + port
                + "/ws: connection refused (is the node running on that port?)", run.err().strip());
        assertFalse(run.err().contains("Exception"), "no stack trace");
    }
}
