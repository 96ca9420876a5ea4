package io.roomcast.gateway.cluster;

import io.roomcast.games.fourinarow.FourInARowRoom;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.Players;
import io.roomcast.gateway.testing.RedisForTests;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.games.fourinarow.Board;
import io.roomcast.proto.v1.Joined;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A room created with options changes owner: the node that takes it over (here from a draining
 * owner, two in-process nodes and one Redis) runs it with the same options and lists it under
 * the same filter key, so quick-joins asking for its mode still find it.
 */
class JoinOptionsTakeoverTest {

    private static final int LEASE_MS = 1500;
    private static final int SEAT_GRACE_MS = 1000;
    private static final Map<String, String> RANKED = Map.of(FourInARowRoom.MODE, "ranked");

    @RegisterExtension
    static final RedisForTests redis = new RedisForTests();
    private final List<Node> nodes = new ArrayList<>();
    @RegisterExtension
    final Players players = new Players();

    @BeforeEach
    void startTwoNodes() {
        for (String id : List.of("first", "second")) {
            nodes.add(TestNodes.start(config -> {
                config.redisUrl = redis.url();
                config.nodeId = id;
                config.leaseMs = LEASE_MS;
                config.seatGraceMs = SEAT_GRACE_MS;
            }));
        }
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(Node::stop);
        nodes.clear();
    }

    @Test
    void aRankedRoomTakenOverIsStillRankedAndFoundByRankedQuickJoinsOnly() throws Exception {
        Node first = nodes.get(0);
        Node second = nodes.get(1);
        TestClient ann = players.hello(first.port(), "ann");
        TestClient ben = players.hello(second.port(), "ben");
        String room = ann.quickJoin("four-in-a-row", RANKED).getRoomId();
        ben.join(room);

        first.stop(); // drains: a last snapshot, the lease released; ben's node takes the room over
        Eventually.holds(() -> second.ownedRooms().contains(room), "the second node took the room over", Duration.ofSeconds(10));
        // Ann's session died with her node: her seat is freed after the grace, and the room is open again.
        String open = RedisKeys.openRooms("four-in-a-row", RoomDirectory.filterKey(FourInARowRoom.TYPE.filterBy(), RANKED));
        Eventually.holds(() -> Long.valueOf(1).equals(redis.command("ZCARD", open)),
                "the room is listed under its filter key again", Duration.ofSeconds(5));

        TestClient cal = players.hello(second.port(), "cal");
        TestClient dan = players.hello(second.port(), "dan");
        assertNotEquals(room, cal.quickJoin("four-in-a-row", Map.of(FourInARowRoom.MODE, "casual")).getRoomId());
        Joined danJoined = dan.quickJoin("four-in-a-row", RANKED);
        assertEquals(room, danJoined.getRoomId(), "a ranked quick-join finds the ranked room on its new owner");
        Board board = Board.parseFrom(danJoined.getKeyframe().getEntitiesList().stream()
                .filter(e -> e.getId() == FourInARowRoom.BOARD_ID).findFirst().orElseThrow().getData());
        assertEquals("ranked", board.getMode());
    }
}
