package io.roomcast.gateway.http;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.RawHttp;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits a connection meets before the protocol: a deadline for its HTTP request
 * (slowloris), connections per address and per node, handshakes per second per address. Each
 * client address is a distinct 127.0.0.x.
 */
class AbuseLimitsTest {

    private Node node;
    private final List<RawHttp> sockets = new ArrayList<>();

    private void start(Consumer<NodeConfig> tweak) {
        node = TestNodes.start(tweak);
    }

    @AfterEach
    void stop() throws Exception {
        for (RawHttp socket : sockets) {
            socket.close();
        }
        node.stop();
    }

    private RawHttp open(String from) throws Exception {
        RawHttp socket = new RawHttp(from, node.port());
        sockets.add(socket);
        return socket;
    }

    /** A player in an orb-rush room, its states queued from now on. */
    private TestClient player() throws Exception {
        TestClient player = TestClient.connect(node.port());
        player.hello("player");
        player.quickJoin("orb-rush");
        player.drain();
        return player;
    }

    private static void assertContiguous(List<ServerFrame> frames, int atLeast) {
        List<State> states = frames.stream().filter(ServerFrame::hasState).map(ServerFrame::getState).toList();
        assertTrue(states.size() >= atLeast, "states received: " + states.size());
        for (int i = 1; i < states.size(); i++) {
            assertEquals(states.get(i - 1).getTick() + 1, states.get(i).getTick(), "contiguous ticks at " + i);
        }
    }

    @Test
    void fiveHundredHalfSentRequestsAreClosedWithinTheTimeoutWhileAPlayerKeepsEveryTick() throws Exception {
        int timeoutMs = 1500;
        start(config -> {
            config.requestTimeoutMs = timeoutMs;
            config.maxConnectionsPerIp = 1000;
        });
        try (TestClient player = player()) {
            long started = System.nanoTime();
            for (int i = 0; i < 500; i++) {
                open("127.0.0.10").send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webso");
            }
            long sent = System.nanoTime();
            Eventually.holds(() -> node.metrics().requestTimeouts.sum() == 500, "every half-sent request timed out",
                    Duration.ofMillis(timeoutMs + (sent - started) / 1_000_000 + 1000));
            long closedAfterMs = (System.nanoTime() - started) / 1_000_000;
            for (RawHttp socket : sockets) {
                assertTrue(socket.closedByNode(1000), "closed by the node");
            }
            assertTrue(closedAfterMs >= timeoutMs, "not before the timeout: " + closedAfterMs);
            // The player's socket outlived the request timeout: it is not an HTTP request any more.
            Thread.sleep(500);
            assertTrue(!player.isClosed(), "the player is still connected");
            assertContiguous(player.drain(), (int) (closedAfterMs / 50) - 10);
            assertEquals(0, node.metrics().connectionsRefusedAddress.sum());
        }
    }

    @Test
    void aKeepAliveConnectionIsClosedWhenItsNextRequestDoesNotComeInTime() throws Exception {
        start(config -> config.requestTimeoutMs = 500);
        RawHttp keepAlive = open("127.0.0.11").send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, RawHttp.status(keepAlive.readHead()));
        assertTrue(keepAlive.closedByNode(2000), "idle after its request: closed");
        RawHttp slowSecond = open("127.0.0.11").send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, RawHttp.status(slowSecond.readHead()));
        slowSecond.send("GET /heal");
        assertTrue(slowSecond.closedByNode(2000), "a second request half sent: closed");
    }

    @Test
    void aBurstOfConnectionsFromOneAddressIsCutAtTheLimitAndOtherAddressesAreUnaffected() throws Exception {
        start(config -> config.maxConnectionsPerIp = 10);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            RawHttp socket = open("127.0.0.20").send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            statuses.add(RawHttp.status(socket.readHead()));
        }
        assertEquals(List.of(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 503, 503, 503, 503, 503), statuses);
        assertEquals(5, node.metrics().connectionsRefusedAddress.sum());

        // Another address is not held up: a player connects and plays.
        try (TestClient player = player()) {
            assertContiguous(player.collect(Duration.ofMillis(500)), 5);
        }
        RawHttp other = open("127.0.0.21").send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, RawHttp.status(other.readHead()));

        // A connection closed gives its place back.
        sockets.getFirst().close();
        Eventually.holds(() -> {
            try (RawHttp again = new RawHttp("127.0.0.20", node.port())) {
                return RawHttp.status(again.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readHead()) == 200;
            } catch (Exception e) {
                return false;
            }
        }, "a place freed for 127.0.0.20");
    }

    @Test
    void theNodeRefusesConnectionsOverItsLimitWith503() throws Exception {
        start(config -> config.maxConnections = 4);
        for (int i = 0; i < 4; i++) {
            assertEquals(200, RawHttp.status(open("127.0.0.30").send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readHead()));
        }
        String refused = open("127.0.0.31").send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readHead();
        assertEquals(503, RawHttp.status(refused), refused);
        assertTrue(refused.contains("Retry-After"), refused);
        assertEquals(1, node.metrics().connectionsRefusedNode.sum());
    }

    @Test
    void handshakesOverTheRatePerAddressGet429AndOtherAddressesUpgrade() throws Exception {
        start(config -> config.maxHandshakesPerIpPerSecond = 5);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            try (RawHttp socket = new RawHttp("127.0.0.40", node.port())) {
                statuses.add(RawHttp.status(socket.send(RawHttp.upgrade("")).readHead()));
            }
        }
        assertEquals(List.of(101, 101, 101, 101, 101), statuses.subList(0, 5), statuses.toString());
        assertTrue(statuses.subList(5, 10).stream().filter(s -> s == 429).count() >= 4, statuses.toString());
        assertTrue(node.metrics().handshakesRefusedRate.sum() >= 4);
        try (RawHttp socket = new RawHttp("127.0.0.41", node.port())) {
            assertEquals(101, RawHttp.status(socket.send(RawHttp.upgrade("")).readHead()));
        }
    }

    @Test
    void behindATrustedProxyTheForwardedAddressIsLimitedNotTheProxy() throws Exception {
        start(config -> {
            config.trustedProxies = "127.0.0.50";
            config.maxConnectionsPerIp = 2;
            config.maxHandshakesPerIpPerSecond = 2;
        });
        List<Integer> statuses = new ArrayList<>();
        for (String client : new String[] {"203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.1", "203.0.113.1"}) {
            statuses.add(RawHttp.status(open("127.0.0.50").send(RawHttp.upgrade("X-Forwarded-For: 198.51.100.9, " + client + "\r\n")).readHead()));
        }
        assertEquals(List.of(101, 101, 101, 101, 429), statuses, "the proxy's 5 connections pass; its third handshake for one client does not");
    }
}
