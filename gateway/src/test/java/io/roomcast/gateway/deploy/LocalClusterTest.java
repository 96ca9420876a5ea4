package io.roomcast.gateway.deploy;

import io.roomcast.gateway.browser.GamePage;
import io.roomcast.gateway.testing.TestClient;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code deploy/local-cluster}, the no-Docker twin of the compose file, end to end: {@code up
 * --nodes 2 --prometheus} starts Redis, two gateway nodes, HAProxy and Prometheus on 127.0.0.1;
 * the load balancer spreads fresh connections over the nodes; Prometheus scrapes every node and
 * answers every query of the Grafana dashboard; {@code down} stops every process it started.
 *
 * <p>The cluster is up for the whole class: a check of the running cluster is one more
 * {@code @Test} method using {@link #lbPort()} and {@link #nodePort(int)} (unordered methods
 * run before {@link #downStopsEveryProcessItStarted()}, which is last). The gateways run this
 * build's classes ({@code ROOMCAST_GATEWAY_CLASSPATH}), not a jar left by an older build.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterTest {

    private static final Path ROOT = Commands.repoRoot();
    private static final Path SCRIPT = ROOT.resolve("deploy/local-cluster");
    private static final int NODES = 2;
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration DOWN_TIMEOUT = Duration.ofSeconds(60);
    /** How long a fact may take to show in Prometheus: it scrapes every second. */
    private static final Duration PROMETHEUS_WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path temp;
    private static Path state;
    private static Map<String, String> env;
    private static Properties cluster;
    private static final List<Long> startedPids = new ArrayList<>();
    private static boolean down;

    /** On a failed test, the tails of the cluster's logs (the script keeps them in its state dir). */
    @RegisterExtension
    static final TestWatcher LOGS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.err.println("local cluster logs after " + context.getDisplayName() + " failed:\n" + Commands.logTails(state, 40));
        }
    };

    @BeforeAll
    static void up() throws IOException {
        state = temp.resolve("cluster");
        env = new HashMap<>();
        env.put("ROOMCAST_CLUSTER_DIR", state.toString());
        env.put("ROOMCAST_GATEWAY_CLASSPATH", gatewayClasspath());
        env.put("ROOMCAST_WAIT_SECONDS", "60");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Commands.Result up = Commands.run(ROOT, env, UP_TIMEOUT, SCRIPT.toString(), "up", "--nodes", Integer.toString(NODES), "--prometheus");
        if (up.exitCode() != 0) {
            String logs = Commands.logTails(state, 40);
            Commands.run(ROOT, env, DOWN_TIMEOUT, SCRIPT.toString(), "down");
            down = true;
            throw new AssertionError(up.describe() + "\n" + logs);
        }
        cluster = new Properties();
        try (var reader = Files.newBufferedReader(state.resolve("cluster.env"))) {
            cluster.load(reader);
        }
        try (Stream<Path> files = Files.list(state)) {
            for (Path pidFile : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
                startedPids.add(Long.parseLong(Files.readString(pidFile).trim()));
            }
        }
        assertEquals(NODES + 3, startedPids.size(), "a pid file per process (redis, gateways, lb, prometheus): " + startedPids);
        assertTrue(up.output().contains("prometheus     http://127.0.0.1:" + prometheusPort() + "/"), "up prints Prometheus' URL:\n" + up.output());
    }

    @AfterAll
    static void downIfStillUp() {
        if (!down && state != null) {
            Commands.run(ROOT, env, DOWN_TIMEOUT, SCRIPT.toString(), "down");
        }
    }

    static int lbPort() {
        return Integer.parseInt(cluster.getProperty("LB_PORT"));
    }

    /** The port of gateway-{@code n} (1-based). */
    static int nodePort(int n) {
        return Integer.parseInt(cluster.getProperty("GATEWAY_" + n + "_PORT"));
    }

    static int prometheusPort() {
        return Integer.parseInt(cluster.getProperty("PROMETHEUS_PORT"));
    }

    static String redisUrl() {
        return "redis://127.0.0.1:" + cluster.getProperty("REDIS_PORT");
    }

    @Test
    @Order(1)
    void theLoadBalancerAnswersHealthz() throws Exception {
        HttpResponse<String> health = get(lbPort(), "/healthz");
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"node_id\":\"gateway-"), health.body());
    }

    @Test
    @Order(2)
    void eachNodeAnswersHealthzWithItsOwnId() throws Exception {
        for (int n = 1; n <= NODES; n++) {
            HttpResponse<String> health = get(nodePort(n), "/healthz");
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"node_id\":\"gateway-" + n + "\""), health.body());
        }
    }

    @Test
    @Order(3)
    void consecutiveFreshConnectionsThroughTheLoadBalancerReachDifferentNodes() throws Exception {
        // Round robin, no stickiness: two connections in a row land on two nodes.
        try (TestClient first = TestClient.connect(lbPort()); TestClient second = TestClient.connect(lbPort())) {
            Welcome a = first.hello("ann");
            Welcome b = second.hello("bob");
            assertTrue(a.getNodeId().startsWith("gateway-") && b.getNodeId().startsWith("gateway-"), a.getNodeId() + ", " + b.getNodeId());
            assertNotEquals(a.getNodeId(), b.getNodeId(), "two fresh connections through the load balancer");
        }
    }

    @Test
    @Order(4)
    void twoPlayersThroughTheLoadBalancerOnDifferentNodesPlayInOneRoom() throws Exception {
        try (TestClient ann = TestClient.connect(lbPort()); TestClient ben = TestClient.connect(lbPort())) {
            Welcome annWelcome = ann.hello("ann");
            Welcome benWelcome = ben.hello("ben");
            assertNotEquals(annWelcome.getNodeId(), benWelcome.getNodeId(), "round robin put them on different nodes");
            Joined annJoined = ann.quickJoin("orb-rush");
            String room = annJoined.getRoomId();
            assertEquals(room, ben.join(room).getRoomId());
            ann.input(room, 1, DemoInput.newBuilder().setDx(1).build().toByteString());
            int seat = annJoined.getSeat();
            ben.await(f -> f.hasState() && f.getState().getAppliedList().stream()
                    .anyMatch(a -> a.getSeat() == seat && a.getSeq() == 1));
        }
    }

    @Test
    @Order(5)
    void twoBrowserPagesThroughTheLoadBalancerOnDifferentNodesPlayTogether() throws Exception {
        try (GamePage pageA = GamePage.orbRush(); GamePage pageB = GamePage.orbRush()) {
            String base = "http://127.0.0.1:" + lbPort() + "/";
            pageA.open(base + "?name=Alice");
            Map<String, Object> a = pageA.waitFor(s -> "connected".equals(s.get("status")) && s.get("roomId") != null);
            String room = (String) a.get("roomId");
            long seatA = GamePage.number(a.get("seat"));
            // The balancer spreads every request; reload page B until its socket lands on the other node.
            Map<String, Object> b = Map.of();
            for (int attempt = 0; attempt < 10 && (b.isEmpty() || a.get("nodeId").equals(b.get("nodeId"))); attempt++) {
                pageB.open(base + "?name=Bob&room=" + room);
                b = pageB.waitFor(s -> "connected".equals(s.get("status")) && room.equals(s.get("roomId")));
            }
            assertNotEquals(a.get("nodeId"), b.get("nodeId"), "page B reached the other node");
            double startX = GamePage.playerX(pageB.waitFor(s -> !Double.isNaN(GamePage.playerX(s, seatA))), seatA);
            new Actions(pageA.driver()).keyDown(Keys.ARROW_RIGHT).perform();
            try {
                pageB.waitFor(s -> GamePage.playerX(s, seatA) > startX + 100);
            } finally {
                new Actions(pageA.driver()).keyUp(Keys.ARROW_RIGHT).perform();
            }
        }
    }

    @Test
    @Order(6)
    void prometheusScrapesEveryGatewayAndSeesAConnectionArrive() throws Exception {
        Set<String> gateways = new TreeSet<>(IntStream.rangeClosed(1, NODES).mapToObj(n -> "127.0.0.1:" + nodePort(n)).toList());
        poll(() -> upTargets(), up -> up.equals(gateways), "up == 1 for every gateway " + gateways, PROMETHEUS_WAIT);

        String opened = "roomcast_connections_opened_total{node=\"gateway-1\"}";
        double before = poll(() -> single(opened), value -> !Double.isNaN(value), opened + " scraped", PROMETHEUS_WAIT);
        try (TestClient client = TestClient.connect(nodePort(1))) {
            client.hello("prometheus-watcher");
            poll(() -> single(opened), value -> value > before, opened + " above " + before, PROMETHEUS_WAIT);
            String sessions = "roomcast_sessions{node=\"gateway-1\"}";
            poll(() -> single(sessions), value -> value >= 1, sessions + " >= 1 while a client is connected", PROMETHEUS_WAIT);
        }
    }

    @Test
    @Order(7)
    void everyQueryOfTheGrafanaDashboardAnswersDataFromTheClustersPrometheus() throws Exception {
        for (String query : DashboardMetricsTest.queries()) {
            String promql = DashboardMetricsTest.forPrometheus(query);
            // rate() needs two scrapes in its window: the first queries may wait a second or two.
            poll(() -> result(promql), result -> !result.isEmpty(), "data for `" + promql + "`", PROMETHEUS_WAIT);
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void downStopsEveryProcessItStarted() throws Exception {
        Commands.Result status = Commands.run(ROOT, env, DOWN_TIMEOUT, SCRIPT.toString(), "status");
        assertEquals(0, status.exitCode(), status.describe());
        assertTrue(status.output().contains("prometheus: http://127.0.0.1:" + prometheusPort() + "/"), status.describe());
        assertTrue(status.output().matches("(?s).*\\nprometheus +alive .*/-/ready 200.*"), "status shows Prometheus ready:\n" + status.output());

        Commands.Result result = Commands.run(ROOT, env, DOWN_TIMEOUT, SCRIPT.toString(), "down");
        down = true;
        assertEquals(0, result.exitCode(), result.describe());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Long> running = startedPids;
        while (!(running = startedPids.stream().filter(LocalClusterTest::running).toList()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(running.isEmpty(), "still running after down: " + running + "\n" + result.output());
        assertFalse(Files.exists(state), "down removes the state dir " + state);
    }

    // ───────────── helpers ─────────────

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    // ───────────── Prometheus' HTTP API ─────────────

    /** The result vector of an instant query ({@code /api/v1/query}); fails on an error answer (a bad query). */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> result(String promql) {
        try {
            HttpResponse<String> response = get(prometheusPort(), "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
            Map<String, Object> body = new Yaml().load(response.body());
            assertEquals(200, response.statusCode(), promql + ": " + response.body());
            assertEquals("success", body.get("status"), promql + ": " + response.body());
            Map<String, Object> data = (Map<String, Object>) body.get("data");
            assertEquals("vector", data.get("resultType"), promql + ": " + response.body());
            return (List<Map<String, Object>>) data.get("result");
        } catch (IOException e) {
            throw new AssertionError("Prometheus did not answer `" + promql + "`: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The value of a query answered by one series; NaN when there is no series yet. */
    @SuppressWarnings("unchecked")
    private static double single(String promql) {
        List<Map<String, Object>> result = result(promql);
        assertTrue(result.size() <= 1, promql + " is one series: " + result);
        return result.isEmpty() ? Double.NaN : Double.parseDouble(String.valueOf(((List<Object>) result.get(0).get("value")).get(1)));
    }

    /** The instances of job roomcast whose {@code up} is 1. */
    @SuppressWarnings("unchecked")
    private static Set<String> upTargets() {
        Set<String> up = new TreeSet<>();
        for (Map<String, Object> series : result("up{job=\"roomcast\"}")) {
            if ("1".equals(String.valueOf(((List<Object>) series.get("value")).get(1)))) {
                up.add(String.valueOf(((Map<String, Object>) series.get("metric")).get("instance")));
            }
        }
        return up;
    }

    /** Polls {@code probe} every 250 ms until {@code done} holds; fails with the last value after {@code timeout}. */
    private static <T> T poll(Supplier<T> probe, Predicate<T> done, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what + "; last seen: " + value);
            }
            Thread.sleep(250);
        }
    }

    /** This test run's classpath: the gateway classes just compiled, with their dependencies. */
    private static String gatewayClasspath() {
        String classpath = System.getProperty("surefire.test.class.path");
        return classpath != null && !classpath.isBlank() ? classpath : System.getProperty("java.class.path");
    }

    /** Alive and not a zombie waiting for its reaper (the script's children outlive the script). */
    private static boolean running(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                String text = Files.readString(stat);
                return !text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
            } catch (IOException e) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
