package io.roomcast.gateway.hosting;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.RedisServer;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestGames;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Leave;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.proto.v1.Left;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backstops of a room's lifecycle, each on real nodes: a room nobody ever sat in is closed,
 * a room stuck in its tick on a single node is closed for its players, and a seat reserved for a
 * gateway that went away before claiming it is freed by the owner.
 */
class BackstopsTest {

    private final List<Node> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();
    private RedisServer redis;

    @AfterEach
    void stopEverything() {
        TestGames.releaseStall();
        clients.forEach(TestClient::close);
        nodes.forEach(Node::stop);
        if (redis != null) {
            redis.close();
        }
    }

    private Node node(Consumer<NodeConfig> tweak) {
        Node node = TestNodes.startWith(TestGames.ALL, tweak);
        nodes.add(node);
        return node;
    }

    private TestClient player(Node node, String name) throws Exception {
        TestClient client = TestClient.connect(node.port());
        clients.add(client);
        client.hello(name);
        return client;
    }

    @Test
    void aRoomCreatedForAJoinThatWasRefusedIsClosedOnceItStayedEmptyForEmptyRoomMs() throws Exception {
        Node node = node(config -> config.emptyRoomMs = 300);
        TestClient bob = player(node, "banned-bob");
        bob.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setGameType(TestGames.SLOW_JOIN.name())).build());
        ServerFrame refused = bob.await(ServerFrame::hasError);
        assertEquals(ErrorCode.JOIN_REJECTED, refused.getError().getCode(), refused.toString());
        assertEquals(1, node.ownedRooms().size(), "the quick-join created a room before the game refused the seat");

        Eventually.holds(() -> node.ownedRooms().isEmpty(), "the empty room was closed (rooms " + node.ownedRooms() + ")",
                Duration.ofSeconds(4));
        assertEquals(1L, node.metrics().emptyRoomsClosed.sum(), "closed by the empty-room backstop");
    }

    @Test
    void aRoomStuckInItsTickOnASingleNodeIsClosedForItsPlayersWithinTheStallBudget() throws Exception {
        Node node = node(config -> config.roomStallMs = 500);
        TestClient ann = player(node, "ann");
        String room = ann.quickJoin(TestGames.STALL_ONCE.name()).getRoomId();
        TestGames.armStall();
        Eventually.holds(() -> room.equals(TestGames.stalledRoom()), "the room's tick got stuck");

        Left left = ann.await(f -> f.hasLeft() && f.getLeft().getRoomId().equals(room), Duration.ofSeconds(5)).getLeft();
        assertEquals(LeaveReason.ROOM_CLOSED, left.getReason());
        assertEquals("the room stopped responding", left.getDetail());
        assertTrue(node.ownedRooms().isEmpty(), "the stuck room is no longer hosted: " + node.ownedRooms());
        assertEquals(1L, node.metrics().roomsStalled.sum());
        // The player is free to go on: a new room of the game works (the stall was armed once).
        assertTrue(ann.quickJoin(TestGames.STALL_ONCE.name()).getRoomId().length() > 0);
    }

    @Test
    void aSeatReservedForAGatewayThatWentAwayBeforeClaimingItIsFreedAndTheRoomCloses() throws Exception {
        redis = RedisServer.start();
        Consumer<NodeConfig> cluster = config -> {
            config.redisUrl = redis.url();
            config.leaseMs = 1500;
            config.joinTimeoutMs = 1000;  // the reservation lasts twice this
            config.roomStallMs = 60_000;  // the slow admission holds the room's thread 5.5 s on purpose
        };
        Node a = node(cluster.andThen(config -> config.nodeId = "node-a"));
        Node b = node(cluster.andThen(config -> config.nodeId = "node-b"));
        TestClient ann = player(a, "ann");
        String room = ann.quickJoin(TestGames.SLOW_JOIN.name()).getRoomId();
        TestClient ben = player(b, "slow-ben");
        ben.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(room)).build());
        // Nothing outside A shows the request arrived; 300 ms is a hundred times a loopback hop through Redis.
        Thread.sleep(300); // the join request reaches A, whose room thread starts deliberating for 5.5 s
        b.stop(); // ben's gateway goes away: nobody will ever claim the seat A is about to reserve
        ann.send(ClientFrame.newBuilder().setLeave(Leave.newBuilder().setRoomId(room)).build());
        ann.await(f -> f.hasLeft() && f.getLeft().getRoomId().equals(room), Duration.ofSeconds(8));

        Eventually.holds(() -> !a.ownedRooms().contains(room),
                "the room closed once ben's unclaimed seat was freed (A owns " + a.ownedRooms() + ")", Duration.ofSeconds(10));
        assertEquals(1L, a.metrics().unclaimedSeatsFreed.sum(), "freed as an unclaimed reservation");
        Eventually.holds(() -> ((List<?>) redis.command("KEYS", "rc:{room:" + room + "}*")).isEmpty(),
                "the room's keys went with it");
    }
}
