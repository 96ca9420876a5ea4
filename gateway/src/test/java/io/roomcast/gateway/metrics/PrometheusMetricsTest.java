package io.roomcast.gateway.metrics;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.games.demo.DemoInput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} of a real node, checked by Prometheus' own parser ({@code promtool check
 * metrics}, Debian's {@code prometheus} package, which {@code .ci/run} installs), and its counters
 * moving by exactly what a player did.
 */
class PrometheusMetricsTest {

    /** A sample line: name, optional labels, value (the text format 0.0.4 without timestamps). */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

    private Node node;

    @BeforeEach
    void start() {
        node = TestNodes.start(config -> config.nodeId = "metrics-node-1");
    }

    @AfterEach
    void stop() {
        node.stop();
    }

    @Test
    void aScrapeIsValidPrometheusTextWithHelpTypeAndTheNodeLabelOnEverySample() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                response.headers().toString());
        String text = response.body();
        promtoolAccepts(text);
        for (String line : text.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                assertTrue(line.contains("node=\"metrics-node-1\""), "no node label: " + line);
            }
        }
        for (String family : new String[] {"roomcast_frames_in_total", "roomcast_auth_refused_total",
                "roomcast_rooms_taken_over_total", "roomcast_sessions", "roomcast_connections_open",
                "roomcast_rooms_owned", "roomcast_tick_duration_seconds", "roomcast_tick_lateness_seconds"}) {
            assertTrue(text.contains("# HELP " + family + " "), "no HELP for " + family);
            assertTrue(text.contains("# TYPE " + family + " "), "no TYPE for " + family);
        }
        assertTrue(text.contains("# TYPE roomcast_tick_duration_seconds histogram"));
        assertTrue(text.contains("# TYPE roomcast_tick_lateness_seconds histogram"));
        assertTrue(text.contains("# TYPE roomcast_frames_in_total counter"));
        // every counter NodeMetrics has
        for (var counter : node.metrics().counters()) {
            assertTrue(text.contains("# TYPE roomcast_" + counter.prometheusName() + "_total counter"), counter.name());
        }
    }

    @Test
    void countersMoveByWhatAPlayerDid() throws Exception {
        Map<String, Double> before = samples(get("/metrics").body());
        try (TestClient alice = TestClient.connect(node.port())) {
            alice.hello("alice");
            String room = alice.quickJoin("orb-rush").getRoomId();
            for (int seq = 1; seq <= 5; seq++) {
                alice.input(room, seq, DemoInput.newBuilder().setDx(1).build().toByteString());
            }
            alice.emitAcked(room, "hello", ByteString.copyFromUtf8("hi")); // answered after the inputs were read
            // Ticks are recorded on the room's thread: wait for a few.
            Eventually.holds(() -> sample(scrape(), "roomcast_tick_duration_seconds_count", "orb-rush") >= 3,
                    "three orb-rush ticks timed");
            String text = get("/metrics").body();
            promtoolAccepts(text);
            Map<String, Double> after = samples(text);
            assertEquals(1, delta(before, after, "roomcast_connections_opened_total"));
            assertEquals(8, delta(before, after, "roomcast_frames_in_total"), "hello, join, 5 inputs, emit");
            assertTrue(delta(before, after, "roomcast_frames_out_total") >= 3, "welcome, joined, ack");
            assertEquals(1, delta(before, after, "roomcast_room_creations_total"));
            assertEquals(0, delta(before, after, "roomcast_bad_frames_total"));
            assertEquals(1, sample(text, "roomcast_sessions", null));
            assertEquals(1, sample(text, "roomcast_connections_open", null));
            assertEquals(1, sample(text, "roomcast_rooms_owned", "orb-rush"));
            assertEquals(0, sample(text, "roomcast_rooms_owned", "four-in-a-row"));
            double ticks = sample(text, "roomcast_tick_duration_seconds_count", "orb-rush");
            assertEquals(ticks, sample(text, "roomcast_tick_duration_seconds_bucket", "orb-rush", "le=\"+Inf\""),
                    "every tick falls in the +Inf bucket");
            assertTrue(sample(text, "roomcast_tick_duration_seconds_sum", "orb-rush") > 0);
            // Every tick records how late it started, then how long it took; a tick may fall between the
            // two histograms' reads of one scrape, so they may differ by one.
            double late = sample(text, "roomcast_tick_lateness_seconds_count", "orb-rush");
            assertTrue(Math.abs(late - ticks) <= 1, late + " lateness records for " + ticks + " ticks timed");
            assertEquals(late, sample(text, "roomcast_tick_lateness_seconds_bucket", "orb-rush", "le=\"+Inf\""));
            assertEquals(0, sample(text, "roomcast_tick_lateness_seconds_count", "four-in-a-row"), "no such room: no ticks");
        }
        Eventually.holds(() -> sample(scrape(), "roomcast_connections_open", null) == 0, "the socket is counted closed");
    }

    private String scrape() {
        try {
            return get("/metrics").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code promtool check metrics} parses the text (exit 1 on a parse error) and lints it (exit 3). */
    private static void promtoolAccepts(String text) throws Exception {
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("promtool is not installed: apt-get install prometheus (.ci/run does)", e);
        }
        try (var in = promtool.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, promtool.exitValue(), "promtool check metrics: " + out);
    }

    /** Every sample: "name{labels}" -> value; the labels as written. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return out;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return sum(after, name, null) - sum(before, name, null);
    }

    /** The value of the one sample of {@code name} whose labels contain {@code game="<gameLabel>"} (any, when null). */
    private static double sample(String text, String name, String gameLabel) {
        return sum(samples(text), name, gameLabel);
    }

    private static double sample(String text, String name, String gameLabel, String otherLabel) {
        Map<String, Double> matching = new HashMap<>();
        samples(text).forEach((key, value) -> {
            if (key.contains(otherLabel)) {
                matching.put(key, value);
            }
        });
        return sum(matching, name, gameLabel);
    }

    private static double sum(Map<String, Double> samples, String name, String gameLabel) {
        double total = 0;
        int found = 0;
        for (var e : samples.entrySet()) {
            String key = e.getKey();
            if ((key.equals(name) || key.startsWith(name + "{"))
                    && (gameLabel == null || key.contains("game=\"" + gameLabel + "\""))) {
                total += e.getValue();
                found++;
            }
        }
        assertEquals(1, found, "one sample of " + name + " " + gameLabel);
        return total;
    }
}
