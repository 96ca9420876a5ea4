package io.roomcast.gateway.hosting;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.RedisServer;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Leave;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One node: what a room leaves behind when it closes, and a session's room limit under concurrent joins. */
class SingleNodeRoomTest {

    private Node node;
    private RedisServer redis;

    @AfterEach
    void stop() {
        if (node != null) {
            node.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    // ───────────── 5a. keys of a closed room ─────────────

    @Test
    void aRoomThatClosesLeavesNoKeyInRedis() throws Exception {
        redis = RedisServer.start();
        redis.command("FLUSHALL");
        node = TestNodes.start(config -> {
            config.redisUrl = redis.url();
            config.nodeId = "solo";
        });
        try (TestClient ann = TestClient.connect(node.port())) {
            ann.hello("ann");
            String room = ann.quickJoin("orb-rush").getRoomId();
            ann.send(ClientFrame.newBuilder().setLeave(Leave.newBuilder().setRoomId(room)).build());
            ann.await(f -> f.hasLeft() && f.getLeft().getRoomId().equals(room));
            Eventually.holds(() -> node.ownedRooms().isEmpty(), "the empty room closed");
            Eventually.value(redis::roomKeys,
                    List::isEmpty, "no rc:* key is left once room " + room + " closed", Duration.ofSeconds(3));
        }
    }

    // ───────────── 7. maxRoomsPerSession under concurrent joins ─────────────

    @Test
    void joinsSentBackToBackCannotTakeASessionPastItsRoomLimit() throws Exception {
        node = TestNodes.start(config -> config.maxRoomsPerSession = 1);
        try (TestClient ann = TestClient.connect(node.port())) {
            ann.hello("ann");
            List<String> games = List.of("orb-rush", "four-in-a-row", "bench-arena", "bench-broadcast"); // four distinct rooms
            for (int i = 0; i < games.size(); i++) { // without waiting for any answer
                ann.send(ClientFrame.newBuilder().setRequestId(i + 1).setJoin(Join.newBuilder().setGameType(games.get(i))).build());
            }
            List<ServerFrame> answers = new ArrayList<>();
            while (answers.size() < games.size()) {
                answers.add(ann.await(f -> f.hasJoined() || f.hasError()));
            }
            answers.addAll(ann.collect(Duration.ofMillis(300)).stream().filter(f -> f.hasJoined() || f.hasError()).toList());

            List<String> joined = answers.stream().filter(ServerFrame::hasJoined).map(f -> f.getJoined().getGameType()).toList();
            long refused = answers.stream().filter(f -> f.hasError() && f.getError().getCode() == ErrorCode.TOO_MANY_ROOMS).count();
            assertEquals(1, joined.size(), "a session limited to 1 room joined " + joined.size() + " rooms: " + joined);
            assertEquals(3, refused, "the other joins were refused with TOO_MANY_ROOMS: " + answers);
            assertEquals(games.size(), answers.size(), "one answer per join: " + answers);
        }
    }
}
