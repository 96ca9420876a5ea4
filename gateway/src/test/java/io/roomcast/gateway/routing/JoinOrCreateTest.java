package io.roomcast.gateway.routing;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.RedisServer;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.KeyframeRequest;
import io.roomcast.proto.v1.State;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.NamedRoom;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.roomcast.gateway.testing.DemoStates.hasAvatar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Join-or-create by a client-chosen room name on two real nodes clustered through a real Redis:
 * one room per name, whoever asks first creates it, also when two nodes ask at the same moment.
 */
class JoinOrCreateTest {

    private static RedisServer redis;
    private final List<Node> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void startTwoNodes() {
        redis.command("FLUSHALL");
        for (String id : List.of("node-a", "node-b")) {
            nodes.add(TestNodes.start(config -> {
                config.redisUrl = redis.url();
                config.nodeId = id;
            }));
        }
    }

    @AfterEach
    void stopNodes() {
        clients.forEach(TestClient::close);
        nodes.forEach(Node::stop);
    }

    private TestClient player(int node, String name) throws Exception {
        TestClient client = TestClient.connect(nodes.get(node).port());
        clients.add(client);
        client.hello(name);
        return client;
    }

    private static ClientFrame named(String room, String game) {
        return ClientFrame.newBuilder().setJoin(Join.newBuilder()
                .setNamed(NamedRoom.newBuilder().setRoomId(room).setGameType(game))).build();
    }

    @Test
    void twoPlayersOnTwoNodesAskingForTheSameNewNameAtOnceEndInOneRoom() throws Exception {
        for (int round = 0; round < 5; round++) {
            String name = "arena-" + round;
            TestClient ann = player(0, "ann" + round);
            TestClient ben = player(1, "ben" + round);
            ann.send(named(name, "orb-rush"));
            ben.send(named(name, "orb-rush")); // no wait: both nodes find no room and race to create it
            Joined annJoined = ann.await(ServerFrame::hasJoined).getJoined();
            Joined benJoined = ben.await(ServerFrame::hasJoined).getJoined();

            assertEquals(name, annJoined.getRoomId());
            assertEquals(name, benJoined.getRoomId());
            assertNotEquals(annJoined.getSeat(), benJoined.getSeat(), "round " + round + ": two seats of ONE room, not seat 0 of two");
            long owners = nodes.stream().filter(n -> n.ownedRooms().contains(name)).count();
            assertEquals(1, owners, "round " + round + ": exactly one node runs room " + name);
            // Ann's view of the one room has Ben's avatar in it.
            ann.send(ClientFrame.newBuilder().setKeyframeRequest(KeyframeRequest.newBuilder().setRoomId(name)).build());
            State keyframe = ann.await(f -> f.hasState() && f.getState().getKeyframe()).getState();
            assertTrue(hasAvatar(keyframe, benJoined.getSeat()), "round " + round + ": ann sees ben's avatar");
            ann.close();
            ben.close();
        }
    }

    @Test
    void aNameHeldByARoomOfAnotherGameIsRefusedAndAnInvalidNameIsAnInvalidArgument() throws Exception {
        TestClient ann = player(0, "ann");
        ann.send(named("table-1", "four-in-a-row"));
        assertEquals("four-in-a-row", ann.await(ServerFrame::hasJoined).getJoined().getGameType());

        TestClient ben = player(1, "ben");
        ben.send(named("table-1", "orb-rush"));
        ServerFrame refused = ben.await(ServerFrame::hasError);
        assertEquals(ErrorCode.JOIN_REJECTED, refused.getError().getCode());
        assertTrue(refused.getError().getMessage().contains("four-in-a-row"), refused.getError().getMessage());

        ben.send(named("no spaces allowed", "orb-rush"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, ben.await(ServerFrame::hasError).getError().getCode());
        ben.send(named("table-2", "no-such-game"));
        assertEquals(ErrorCode.UNKNOWN_GAME, ben.await(ServerFrame::hasError).getError().getCode());
    }

    @Test
    void aNamedRoomThatClosedCanBeCreatedAgainAndHearsItsNewOwner() throws Exception {
        TestClient ann = player(0, "ann");
        ann.send(named("lobby", "orb-rush"));
        ann.await(ServerFrame::hasJoined);
        ann.send(ClientFrame.newBuilder().setLeave(io.roomcast.proto.v1.Leave.newBuilder().setRoomId("lobby")).build());
        ann.await(ServerFrame::hasLeft);
        io.roomcast.gateway.testing.Eventually.holds(() -> nodes.get(0).ownedRooms().isEmpty(), "lobby closed on node-a");

        // Ben, on the other node, opens a room of the same name: a new room, whose states reach Ann too.
        TestClient ben = player(1, "ben");
        ben.send(named("lobby", "orb-rush"));
        ben.await(ServerFrame::hasJoined);
        assertTrue(nodes.get(1).ownedRooms().contains("lobby"));
        ann.send(named("lobby", "orb-rush"));
        ann.await(ServerFrame::hasJoined);
        ann.await(f -> f.hasState() && f.getState().getRoomId().equals("lobby"));
    }
}
