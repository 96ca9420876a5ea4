package io.roomcast.gateway.admin;

import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.proto.cluster.MemberRoom;
import io.roomcast.proto.cluster.NodeReport;
import io.roomcast.proto.cluster.OwnedRoom;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who the admin page lets in, decided from the settings alone; and how the nodes' reports merge. */
class AdminAccessTest {

    private static AdminAccess access(Consumer<NodeConfig> tweak) {
        NodeConfig config = NodeConfig.defaults();
        tweak.accept(config);
        return AdminAccess.of(config.validate());
    }

    @Test
    void withoutATokenOnlyTheEmbeddedNodeOnLoopbackIsOpen() {
        assertEquals(AdminAccess.Mode.OFF, access(c -> {}).mode(), "the default: embedded on 0.0.0.0");
        assertEquals(AdminAccess.Mode.OFF, access(c -> c.host = "::").mode());
        assertEquals(AdminAccess.Mode.OPEN, access(c -> c.host = "127.0.0.1").mode());
        assertEquals(AdminAccess.Mode.OPEN, access(c -> c.host = "127.0.0.2").mode());
        assertEquals(AdminAccess.Mode.OPEN, access(c -> c.host = "::1").mode());
        assertEquals(AdminAccess.Mode.OPEN, access(c -> c.host = "localhost").mode());
        assertEquals(AdminAccess.Mode.OFF, access(c -> {
            c.host = "127.0.0.1";
            c.redisUrl = "redis://127.0.0.1:6379";
        }).mode(), "a cluster node has no page without a token, on loopback too");
        assertTrue(access(c -> c.host = "127.0.0.1").allows(null));
        assertFalse(access(c -> {}).allows("Bearer anything-at-all-0123456789"));
    }

    @Test
    void withATokenOnlyTheTokenOpensIt() {
        String token = "0123456789abcdef";
        for (Consumer<NodeConfig> where : List.<Consumer<NodeConfig>>of(c -> {}, c -> c.host = "127.0.0.1",
                c -> c.redisUrl = "redis://127.0.0.1:6379")) {
            AdminAccess access = access(c -> {
                where.accept(c);
                c.adminToken = token;
            });
            assertEquals(AdminAccess.Mode.TOKEN, access.mode());
            assertTrue(access.allows("Bearer " + token));
            assertTrue(access.allows("BEARER " + token));
            assertFalse(access.allows(null));
            assertFalse(access.allows(token));
            assertFalse(access.allows("Bearer " + token.substring(1)));
            assertFalse(access.allows("Bearer " + token + "0"));
            assertFalse(access.allows("Basic " + token));
        }
    }

    @Test
    void aShortOrBlankContainingTokenStopsTheNode() {
        assertThrows(IllegalArgumentException.class, () -> access(c -> c.adminToken = "short"));
        assertThrows(IllegalArgumentException.class, () -> access(c -> c.adminToken = "has a space in it 0123"));
        assertEquals(AdminAccess.Mode.OFF, access(c -> c.adminToken = "   ").mode(), "blank: unset");
    }

    @Test
    void aRoomsOwnerIsItsOwnersReportAndItsPlayersEachNodesOwn() {
        NodeReport a = NodeReport.newBuilder().setNodeId("a")
                .addOwned(OwnedRoom.newBuilder().setRoomId("r1").setGame("orb-rush").setEpoch(7).setSeats(3).setMaxSeats(8)
                        .setTickP99Micros(1500).setTicksSampled(256))
                .addMembers(MemberRoom.newBuilder().setRoomId("r1").setPlayers(1).setOwner("a").setEpoch(7))
                .build();
        NodeReport b = NodeReport.newBuilder().setNodeId("b")
                // b was r1's owner before a took it over and has not noticed yet: the higher epoch wins
                .addOwned(OwnedRoom.newBuilder().setRoomId("r1").setGame("orb-rush").setEpoch(5).setSeats(3).setMaxSeats(8))
                .addMembers(MemberRoom.newBuilder().setRoomId("r1").setPlayers(2).setOwner("a").setEpoch(7))
                // r2's owner c wrote no report: its owner is the one b heard
                .addMembers(MemberRoom.newBuilder().setRoomId("r2").setPlayers(4).setOwner("c").setEpoch(9))
                .build();
        Map<String, Object> view = ClusterView.merge("a", "cluster", 3000, Map.of("a", 100L, "b", 900L, "c", 4000L),
                Map.of("a", a, "b", b), null);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) view.get("nodes");
        assertEquals(List.of("a", "b", "c"), nodes.stream().map(n -> n.get("id")).toList());
        assertEquals(List.of(true, true, false), nodes.stream().map(n -> n.get("alive")).toList(), "c: no heartbeat for a lease");
        assertEquals(List.of(true, true, false), nodes.stream().map(n -> n.get("reported")).toList());
        assertEquals(6L, nodes.get(1).get("players"));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rooms = (List<Map<String, Object>>) view.get("rooms");
        Map<String, Object> r1 = rooms.get(0);
        assertEquals("r1", r1.get("id"));
        assertEquals("a", r1.get("owner"));
        assertEquals(7L, r1.get("epoch"));
        assertEquals(1.5, r1.get("tick_p99_ms"));
        assertEquals(Map.of("a", 1L, "b", 2L), r1.get("players"));
        assertEquals(3L, r1.get("players_total"));
        Map<String, Object> r2 = rooms.get(1);
        assertEquals("c", r2.get("owner"));
        assertEquals(9L, r2.get("epoch"));
        assertEquals(false, r2.get("owner_reported"));
        assertEquals(null, r2.get("game"));
        assertEquals(null, r2.get("tick_p99_ms"));
    }
}
