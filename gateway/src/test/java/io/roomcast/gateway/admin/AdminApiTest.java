package io.roomcast.gateway.admin;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.RedisForTests;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.roomcast.gateway.testing.AdminHttp.cluster;
import static io.roomcast.gateway.testing.AdminHttp.get;
import static io.roomcast.gateway.testing.AdminHttp.json;
import static io.roomcast.gateway.testing.AdminHttp.list;
import static io.roomcast.gateway.testing.AdminHttp.node;
import static io.roomcast.gateway.testing.AdminHttp.players;
import static io.roomcast.gateway.testing.AdminHttp.room;
import static io.roomcast.gateway.testing.DemoStates.epochOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin page's HTTP surface on real nodes: who gets the data (token, off, open), and what
 * {@code /admin/api/cluster} says of two nodes clustered through a real Redis with a room spanning
 * them, checked against Redis's own lease.
 */
class AdminApiTest {

    private static final String TOKEN = "admin-test-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final RedisForTests redis = new RedisForTests();
    private final List<Node> nodes = new ArrayList<>();




    @AfterEach
    void stopNodes() {
        nodes.forEach(Node::stop);
        nodes.clear();
    }

    private Node start(Consumer<io.roomcast.gateway.config.NodeConfig> tweak) {
        Node node = TestNodes.start(tweak);
        nodes.add(node);
        return node;
    }

    private Node clusterNode(String id, String token) {
        return start(config -> {
            config.redisUrl = redis.url();
            config.nodeId = id;
            config.adminToken = token;
        });
    }

    @Test
    void aClusterNodeWithoutATokenHasNoAdminPageAtAll() throws Exception {
        Node node = clusterNode("no-admin", "");
        assertEquals(AdminAccess.Mode.OFF, node.adminMode());
        for (String path : List.of("/admin", "/admin/", "/admin/admin.js", "/admin/api/cluster", "/admin/api/node")) {
            for (String authorization : new String[]{null, "Bearer " + TOKEN}) {
                HttpResponse<String> response = get(node.port(), path, authorization);
                assertEquals(404, response.statusCode(), path + " with " + authorization);
                assertFalse(response.body().contains("no-admin"), "no data in a 404: " + response.body());
            }
        }
        Thread.sleep(1_200); // a reporter would have written by now
        assertEquals(0L, ((Number) redis.command("EXISTS", RedisKeys.nodeReport("no-admin"))).longValue(),
                "a node whose page is off writes no report");
    }

    @Test
    void theDataNeedsTheTokenAndAWrongOneGetsNothing() throws Exception {
        Node node = clusterNode("guarded", TOKEN);
        assertEquals(AdminAccess.Mode.TOKEN, node.adminMode());
        for (String path : List.of("/admin/api/cluster", "/admin/api/node", "/admin/api/nothing")) {
            for (String authorization : new String[]{null, "", "Bearer", "Bearer ", "Bearer wrong-token-0123456789",
                    "Bearer " + TOKEN + "x", "Basic " + TOKEN, TOKEN}) {
                HttpResponse<String> response = get(node.port(), path, authorization);
                assertEquals(401, response.statusCode(), path + " with \"" + authorization + "\"");
                assertFalse(response.body().contains("guarded") || response.body().contains("{"),
                        "no data in a 401: " + response.body());
                assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            }
        }
        HttpResponse<String> ok = get(node.port(), "/admin/api/node", "bearer  " + TOKEN + " ");
        assertEquals(200, ok.statusCode(), "the scheme is case-insensitive, blanks around the token are not part of it");
        assertEquals("guarded", json(ok.body()).get("node"));
        assertEquals("no-store", ok.headers().firstValue("Cache-Control").orElse(""));
        assertEquals(404, get(node.port(), "/admin/api/nothing", "Bearer " + TOKEN).statusCode());

        HttpResponse<String> page = get(node.port(), "/admin", null);
        assertEquals(200, page.statusCode(), "the page itself holds no data: served without the token");
        assertTrue(page.body().contains("<script src=\"/admin/admin.js\"></script>"));
        assertFalse(page.body().contains("guarded"), "no node data in the page");
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertEquals(200, get(node.port(), "/admin/", null).statusCode());
        assertEquals(200, get(node.port(), "/admin/admin.js", null).statusCode());
        assertEquals(404, get(node.port(), "/admin/nothing.js", null).statusCode());
    }

    @Test
    void theClusterViewShowsBothNodesAndEachOnesPlayersOfARoomSpanningThem() throws Exception {
        Node a = clusterNode("node-a", TOKEN);
        Node b = clusterNode("node-b", TOKEN);
        try (TestClient ann = TestClient.connect(a.port()); TestClient ben = TestClient.connect(b.port())) {
            ann.hello("ann");
            ben.hello("ben");
            String roomId = ann.quickJoin("orb-rush").getRoomId();
            ben.join(roomId);

            for (Node asked : List.of(a, b)) {
                Map<String, Object> view = Eventually.value(() -> clusterOf(asked),
                        v -> players(v, roomId, "node-a") == 1 && players(v, roomId, "node-b") == 1
                                && node(v, "node-a").map(n -> Boolean.TRUE.equals(n.get("reported"))).orElse(false)
                                && node(v, "node-b").map(n -> Boolean.TRUE.equals(n.get("reported"))).orElse(false)
                                && room(v, roomId).map(r -> ((Number) r.get("ticks_sampled")).longValue() > 0).orElse(false),
                        "node " + asked.nodeId() + " shows ann on node-a and ben on node-b in " + roomId, WAIT);
                assertEquals(asked.nodeId(), view.get("node"));
                assertEquals("cluster", view.get("mode"));
                assertEquals(List.of("node-a", "node-b"), list(view, "nodes").stream().map(n -> n.get("id")).toList());
                for (Map<String, Object> n : list(view, "nodes")) {
                    assertEquals(true, n.get("alive"), n.toString());
                    assertEquals(true, n.get("ready"), n.toString());
                    assertEquals(1L, ((Number) n.get("players")).longValue(), n.toString());
                    assertEquals(1L, ((Number) n.get("sessions")).longValue(), n.toString());
                    assertEquals(0L, ((Number) n.get("states_dropped")).longValue(), n.toString());
                }

                String lease = (String) redis.command("GET", RedisKeys.lease(roomId));
                assertNotNull(lease, "the room's lease in Redis");
                Map<String, Object> room = room(view, roomId).orElseThrow();
                assertEquals(lease.substring(0, lease.lastIndexOf(':')), room.get("owner"), "the owner Redis names: " + lease);
                assertEquals("node-a", room.get("owner"), "ann's node created the room");
                assertEquals(epochOf(lease), ((Number) room.get("epoch")).longValue(), "the epoch of Redis's lease");
                assertEquals(true, room.get("owner_reported"));
                assertEquals("orb-rush", room.get("game"));
                assertEquals(2L, ((Number) room.get("seats")).longValue());
                assertEquals(2L, ((Number) room.get("players_total")).longValue());
                double p99 = ((Number) room.get("tick_p99_ms")).doubleValue();
                assertTrue(p99 >= 0 && p99 < 50, "a tick of orb-rush takes well under its 50 ms: " + p99);
                assertEquals(1, list(view, "rooms").size(), list(view, "rooms").toString());
            }

            Map<String, Object> nodeB = json(get(b.port(), "/admin/api/node", "Bearer " + TOKEN).body());
            assertEquals(List.of(), nodeB.get("owned"), "node-b owns nothing");
            Map<String, Object> member = list(nodeB, "members").getFirst();
            assertEquals(roomId, member.get("id"));
            assertEquals(1L, ((Number) member.get("players")).longValue());
            assertEquals("node-a", member.get("owner"), "node-b heard the owner");
        }
    }

    @Test
    void aNodeThatStopsIsShownGoneWithNoReport() throws Exception {
        Node a = clusterNode("stays", TOKEN);
        Node b = clusterNode("leaves", TOKEN);
        Eventually.value(() -> clusterOf(a), v -> node(v, "leaves").map(n -> Boolean.TRUE.equals(n.get("reported"))).orElse(false),
                "the second node reported", WAIT);
        b.stop();
        Map<String, Object> view = Eventually.value(() -> clusterOf(a),
                v -> node(v, "leaves").map(n -> Boolean.FALSE.equals(n.get("alive")) && Boolean.FALSE.equals(n.get("reported")))
                        .orElse(false),
                "the stopped node gone: its heartbeat older than a lease, its report lapsed", WAIT);
        assertEquals(true, node(view, "stays").orElseThrow().get("alive"));
    }

    @Test
    void theEmbeddedNodeOnLoopbackIsOpenAndWithATokenAsksForIt() throws Exception {
        Node open = start(config -> config.nodeId = "solo"); // 127.0.0.1, no Redis, no token
        assertEquals(AdminAccess.Mode.OPEN, open.adminMode());
        try (TestClient ann = TestClient.connect(open.port())) {
            ann.hello("ann");
            String roomId = ann.quickJoin("four-in-a-row").getRoomId();
            Map<String, Object> view = cluster(open.port(), null);
            assertEquals("embedded", view.get("mode"));
            assertEquals(List.of("solo"), list(view, "nodes").stream().map(n -> n.get("id")).toList());
            assertEquals(true, node(view, "solo").orElseThrow().get("alive"));
            assertEquals(1L, players(view, roomId, "solo"), "the player shows at once: the report is made on request");
            assertEquals("solo", room(view, roomId).orElseThrow().get("owner"));
        }

        Node guarded = start(config -> {
            config.nodeId = "solo-guarded";
            config.adminToken = TOKEN;
        });
        assertEquals(401, get(guarded.port(), "/admin/api/cluster", null).statusCode(), "a token set is asked for, also on loopback");
        assertEquals("embedded", cluster(guarded.port(), TOKEN).get("mode"));
    }

    private static Map<String, Object> clusterOf(Node node) {
        try {
            return cluster(node.port(), TOKEN);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
