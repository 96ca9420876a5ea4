package io.roomcast.gateway.metrics;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.RedisServer;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
                "roomcast_rooms_owned", "roomcast_tick_duration_seconds", "roomcast_tick_lateness_seconds",
                "roomcast_players", "roomcast_frames_out_total", "roomcast_sent_bytes_total",
                "roomcast_connections_closed_total", "roomcast_resumes_total"}) {
            assertTrue(text.contains("# HELP " + family + " "), "no HELP for " + family);
            assertTrue(text.contains("# TYPE " + family + " "), "no TYPE for " + family);
        }
        assertTrue(text.contains("# TYPE roomcast_tick_duration_seconds histogram"));
        assertTrue(text.contains("# TYPE roomcast_tick_lateness_seconds histogram"));
        assertTrue(text.contains("# TYPE roomcast_frames_in_total counter"));
        assertTrue(text.contains("# TYPE roomcast_players gauge"));
        // every counter NodeMetrics has, and every value of each labelled one (at 0 before it happens)
        for (var counter : node.metrics().counters()) {
            assertTrue(text.contains("# TYPE roomcast_" + counter.prometheusName() + "_total counter"), counter.name());
        }
        Map<String, Double> samples = samples(text);
        for (var counter : node.metrics().labeledCounters()) {
            assertTrue(text.contains("# TYPE roomcast_" + counter.name() + "_total counter"), counter.name());
            for (int i = 0; i < counter.size(); i++) {
                labelled(samples, "roomcast_" + counter.name() + "_total", counter.label() + "=\"" + counter.value(i) + "\"");
            }
        }
        for (String type : new String[] {"hello", "join", "leave", "input", "emit", "ping", "keyframe_request", "unknown", "undecodable"}) {
            labelled(samples, "roomcast_frames_in_total", "type=\"" + type + "\"");
        }
        for (String type : new String[] {"welcome", "joined", "left", "state", "event", "ack", "pong", "error"}) {
            labelled(samples, "roomcast_frames_out_total", "type=\"" + type + "\"");
        }
    }

    @Test
    void countersMoveByWhatAPlayerDid() throws Exception {
        Map<String, Double> before = samples(get("/metrics").body());
        TestClient alice = TestClient.connect(node.port());
        try (alice) {
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
            assertEquals(8, sumDelta(before, after, "roomcast_frames_in_total"), "hello, join, 5 inputs, emit");
            Map<String, Integer> sent = Map.of("hello", 1, "join", 1, "input", 5, "emit", 1);
            for (String type : new String[] {"hello", "join", "leave", "input", "emit", "ping", "keyframe_request", "unknown", "undecodable"}) {
                assertEquals((double) sent.getOrDefault(type, 0), delta(before, after, "roomcast_frames_in_total", "type=\"" + type + "\""), type);
            }
            assertEquals(1, delta(before, after, "roomcast_frames_out_total", "type=\"welcome\""));
            assertEquals(1, delta(before, after, "roomcast_frames_out_total", "type=\"joined\""));
            assertEquals(1, delta(before, after, "roomcast_frames_out_total", "type=\"ack\""));
            assertEquals(0, delta(before, after, "roomcast_frames_out_total", "type=\"error\""));
            assertTrue(delta(before, after, "roomcast_frames_out_total", "type=\"state\"") >= 3, "a state per tick");
            assertTrue(delta(before, after, "roomcast_sent_bytes_total") > 0);
            assertEquals(1, delta(before, after, "roomcast_room_creations_total"));
            assertEquals(0, delta(before, after, "roomcast_bad_frames_total"));
            assertEquals(1, sample(text, "roomcast_sessions", null));
            assertEquals(1, sample(text, "roomcast_connections_open", null));
            assertEquals(1, sample(text, "roomcast_rooms_owned", "orb-rush"));
            assertEquals(0, sample(text, "roomcast_rooms_owned", "four-in-a-row"));
            assertEquals(1, sample(text, "roomcast_players", "orb-rush"), "alice in her room");
            assertEquals(0, sample(text, "roomcast_players", "four-in-a-row"));
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

            // She closes the socket (1000): the node echoes the close and ends the connection.
            alice.sendClose(1000);
            assertEquals(1000, alice.awaitClose());
        }
        Eventually.holds(() -> sample(scrape(), "roomcast_connections_open", null) == 0, "the socket is counted closed");
        Map<String, Double> closed = samples(get("/metrics").body());
        assertEquals(1, delta(before, closed, "roomcast_connections_closed_total", "code=\"1000\""));
        assertEquals(1, sumDelta(before, closed, "roomcast_connections_closed_total"), "one connection, closed once");
        // Every byte the node wrote to her socket reached her: her frames, each with its header, and the
        // 4-byte echo of her close (2 bytes of header, the code).
        assertEquals(alice.receivedWireBytes() + 4, delta(before, closed, "roomcast_sent_bytes_total"));
        // Every state queued to her socket reached her, except one a tick may have queued after her close.
        long states = alice.received().stream().filter(ServerFrame::hasState).count();
        double statesOut = delta(before, closed, "roomcast_frames_out_total", "type=\"state\"");
        assertTrue(statesOut - states >= 0 && statesOut - states <= 1, statesOut + " states out, " + states + " received");
    }

    @Test
    void connectionsClosedAreCountedByTheirCloseCode() throws Exception {
        Map<String, Double> before = samples(scrape());
        try (TestClient texting = TestClient.connect(node.port())) {
            texting.sendText("hello?");
            assertEquals(1003, texting.awaitClose()); // the node's own close: text frames are refused
        }
        try (TestClient rude = TestClient.connect(node.port())) {
            rude.sendBytes(new byte[] {(byte) 0xFF, 0x01, 0x02}); // no ClientFrame, and no Hello first
            assertEquals(4001, rude.awaitClose());
        }
        try (TestClient polite = TestClient.connect(node.port())) {
            polite.hello("polite");
            polite.sendClose(4321); // a code of the client's own: echoed, counted as other
            assertEquals(4321, polite.awaitClose());
        }
        TestClient cut = TestClient.connect(node.port());
        cut.hello("cut");
        cut.abort(); // no close frame at all
        Eventually.holds(() -> sumDelta(before, samples(scrape()), "roomcast_connections_closed_total") == 4,
                "four connections counted closed");
        String text = scrape();
        promtoolAccepts(text);
        Map<String, Double> after = samples(text);
        for (String code : new String[] {"1000", "1003", "1006", "4001", "other"}) {
            double expected = code.equals("1000") ? 0 : 1;
            assertEquals(expected, delta(before, after, "roomcast_connections_closed_total", "code=\"" + code + "\""), code);
        }
        assertEquals(1, delta(before, after, "roomcast_frames_in_total", "type=\"undecodable\""));
        assertEquals(2, delta(before, after, "roomcast_frames_in_total", "type=\"hello\""));
        assertEquals(1, delta(before, after, "roomcast_text_frames_total"));
    }

    @Test
    void resumesAreCountedByOutcome() throws Exception {
        Map<String, Double> before = samples(scrape());
        String token;
        try (TestClient first = TestClient.connect(node.port())) {
            token = first.hello("resumer").getResumeToken();
            first.quickJoin("orb-rush");
        }
        // The same player comes back on a new socket with its token: its session, and its seat, again.
        try (TestClient again = TestClient.connect(node.port())) {
            again.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1)
                    .setPlayerName("resumer").setResumeToken(token)).build());
            assertTrue(again.await(ServerFrame::hasWelcome).getWelcome().getResumed());
            again.await(ServerFrame::hasJoined);
            // A token nobody issued: a new session, and the client is told.
            try (TestClient stranger = TestClient.connect(node.port())) {
                stranger.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1)
                        .setPlayerName("stranger").setResumeToken(node.nodeId() + "~not-a-token")).build());
                assertFalse(stranger.await(ServerFrame::hasWelcome).getWelcome().getResumed());
                assertEquals(ErrorCode.RESUME_FAILED, stranger.await(ServerFrame::hasError).getError().getCode());
            }
            String text = scrape();
            promtoolAccepts(text);
            Map<String, Double> after = samples(text);
            assertEquals(1, delta(before, after, "roomcast_resumes_total", "outcome=\"resumed\""));
            assertEquals(1, delta(before, after, "roomcast_resumes_total", "outcome=\"failed\""));
            assertEquals(0, delta(before, after, "roomcast_resumes_total", "outcome=\"from_another_node\""));
            assertEquals(1, sample(text, "roomcast_players", "orb-rush"), "the resumed player kept its seat");
        }
    }

    @Test
    void onAClusterRedisCommandsReconnectsAndThePubSubLagAreMeasured() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            List<Node> cluster = new ArrayList<>();
            try {
                for (String id : List.of("metrics-owner", "metrics-member")) {
                    cluster.add(TestNodes.start(config -> {
                        config.nodeId = id;
                        config.redisUrl = redis.url();
                        config.seatGraceMs = 0; // a player who closes its socket gives its seat up at once
                    }));
                }
                Node owner = cluster.get(0);
                Node member = cluster.get(1);
                Map<String, Double> ownerBefore = samples(scrape(owner));
                Map<String, Double> memberBefore = samples(scrape(member));
                long publishesBefore = redis.commandCount("publish");

                TestClient ann = TestClient.connect(owner.port());
                TestClient ben = TestClient.connect(member.port());
                try (ann; ben) {
                    ann.hello("ann");
                    String room = ann.quickJoin("orb-rush").getRoomId(); // owned by ann's node
                    ben.hello("ben");
                    ben.join(room);
                    for (int i = 0; i < 10; i++) {
                        ben.await(ServerFrame::hasState); // each one a room frame through Redis
                    }

                    // Redis drops every pub/sub connection, then every other one: each is connected again.
                    long pubSubKilled = (Long) redis.command("CLIENT", "KILL", "TYPE", "pubsub");
                    assertEquals(2, pubSubKilled, "one pub/sub connection per node");
                    Eventually.holds(() -> reconnects(owner, ownerBefore) + reconnects(member, memberBefore) == 2,
                            "both pub/sub connections reconnected");
                    // Until it has resubscribed, a reconnected pub/sub connection is a "normal" client to Redis.
                    Eventually.holds(() -> ((String) redis.command("CLIENT", "LIST", "TYPE", "pubsub")).lines().count() == 2,
                            "both pub/sub connections subscribed again");
                    long othersKilled = (Long) redis.command("CLIENT", "KILL", "TYPE", "normal");
                    assertEquals(4, othersKilled, "a command and a publishing connection per node");
                    Eventually.holds(() -> reconnects(owner, ownerBefore) + reconnects(member, memberBefore) == 6,
                            "every connection reconnected, once");
                    ben.drain();
                    ben.await(ServerFrame::hasState, Duration.ofSeconds(10)); // resubscribed: the room reaches ben again

                    // Counted before the scrape: every state ben has by then was measured as it reached his node.
                    long statesToBen = ben.received().stream().filter(ServerFrame::hasState).count();
                    String text = scrape(member);
                    promtoolAccepts(text);
                    Map<String, Double> memberAfter = samples(text);
                    double lags = delta(memberBefore, memberAfter, "roomcast_pubsub_lag_seconds_count");
                    assertTrue(lags >= statesToBen, lags + " room frames measured, " + statesToBen + " states reached ben");
                    assertTrue(delta(memberBefore, memberAfter, "roomcast_pubsub_lag_seconds_sum") / lags < 0.5,
                            "one host, one clock: a lag of well under a second");
                    assertEquals(lags, labelled(memberAfter, "roomcast_pubsub_lag_seconds_bucket", "le=\"+Inf\"")
                            - labelled(memberBefore, "roomcast_pubsub_lag_seconds_bucket", "le=\"+Inf\""));
                    assertTrue(delta(memberBefore, memberAfter, "roomcast_redis_command_duration_seconds_count",
                            "command=\"publish\"") >= 1, "ben's join went to the owner's inbox");
                    Map<String, Double> ownerAfter = samples(scrape(owner));
                    assertEquals(0, delta(ownerBefore, ownerAfter, "roomcast_pubsub_lag_seconds_count"),
                            "an owner does not listen to its own rooms");
                    assertTrue(delta(ownerBefore, ownerAfter, "roomcast_redis_command_duration_seconds_count",
                            "command=\"eval\"") >= 1, "lease renewals and heartbeats are scripts");

                    ann.sendClose(1000);
                    ben.sendClose(1000);
                    ann.awaitClose();
                    ben.awaitClose();
                }
                // Every PUBLISH Redis ran (states, inputs and joins on their way between the nodes) was timed
                // by the node that sent it, once: compared when the room has closed and nothing is in flight.
                Eventually.holds(() -> owner.ownedRooms().isEmpty(), "the room closed");
                Eventually.holds(() -> publishes(owner, ownerBefore) + publishes(member, memberBefore)
                                == redis.commandCount("publish") - publishesBefore,
                        "each node timed each of its publishes");
                assertTrue(publishes(owner, ownerBefore) >= 10, "a state per tick from the owner");
                assertEquals(0, labelled(samples(scrape(owner)), "roomcast_redis_command_duration_seconds_count",
                        "command=\"spublish\""), "no Redis Cluster here");
            } finally {
                cluster.forEach(Node::stop);
            }
        }
    }

    private double reconnects(Node node, Map<String, Double> before) {
        return delta(before, samples(scrape(node)), "roomcast_redis_reconnects_total");
    }

    private double publishes(Node node, Map<String, Double> before) {
        return delta(before, samples(scrape(node)), "roomcast_redis_command_duration_seconds_count", "command=\"publish\"");
    }

    private String scrape() {
        try {
            return get("/metrics").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(node, path);
    }

    private static HttpResponse<String> get(Node node, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape(Node node) {
        try {
            HttpResponse<String> response = get(node, "/metrics");
            assertEquals(200, response.statusCode());
            return response.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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

    /** How much the one sample of {@code name} whose labels include {@code label} (k="v") moved. */
    private static double delta(Map<String, Double> before, Map<String, Double> after, String name, String label) {
        return labelled(after, name, label) - labelled(before, name, label);
    }

    /** How much the samples of {@code name}, whatever their labels, moved together. */
    private static double sumDelta(Map<String, Double> before, Map<String, Double> after, String name) {
        return total(after, name) - total(before, name);
    }

    private static double total(Map<String, Double> samples, String name) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{") || e.getKey().equals(name))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** The value of the one sample of {@code name} whose labels include {@code label}; fails unless exactly one. */
    private static double labelled(Map<String, Double> samples, String name, String label) {
        double value = 0;
        int found = 0;
        for (var e : samples.entrySet()) {
            if (e.getKey().startsWith(name + "{") && e.getKey().contains(label)) {
                value = e.getValue();
                found++;
            }
        }
        assertEquals(1, found, "one sample of " + name + " with " + label);
        return value;
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
