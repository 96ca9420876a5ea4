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

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code deploy/local-cluster}, the no-Docker twin of the compose file, end to end: {@code up
 * --nodes 2} starts Redis, two gateway nodes and HAProxy on 127.0.0.1; the load balancer
 * spreads fresh connections over the nodes; {@code down} stops every process it started.
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
        Commands.Result up = Commands.run(ROOT, env, UP_TIMEOUT, SCRIPT.toString(), "up", "--nodes", Integer.toString(NODES));
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
        assertEquals(NODES + 2, startedPids.size(), "a pid file per process (redis, gateways, lb): " + startedPids);
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
    @Order(Integer.MAX_VALUE)
    void downStopsEveryProcessItStarted() throws Exception {
        Commands.Result status = Commands.run(ROOT, env, DOWN_TIMEOUT, SCRIPT.toString(), "status");
        assertEquals(0, status.exitCode(), status.describe());

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
