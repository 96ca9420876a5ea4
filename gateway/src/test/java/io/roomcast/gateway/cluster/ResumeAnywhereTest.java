package io.roomcast.gateway.cluster;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.NodeProcess;
import io.roomcast.gateway.testing.Players;
import io.roomcast.gateway.testing.RedisForTests;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.RoomCursor;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A player's node dies (kill -9 of a real node process) and the player comes back through
 * another node with its resume token: the same session, the same seat, its Joined before any of
 * the room's traffic, and every event it missed exactly once, in order. A token works once.
 */
class ResumeAnywhereTest {

    @RegisterExtension
    static final RedisForTests redis = new RedisForTests();
    private Node owner;
    private NodeProcess gateway;
    @RegisterExtension
    final Players players = new Players();

    @BeforeEach
    void startNodes() throws Exception {
        owner = TestNodes.start(config -> {
            config.redisUrl = redis.url();
            config.nodeId = "owner";
            config.leaseMs = 1500;
        });
        gateway = NodeProcess.start(Map.of("REDIS_URL", redis.url(), "NODE_ID", "gw-b", "LEASE_MS", "1500"));
    }

    @AfterEach
    void stopNodes() {
        gateway.close();
        owner.stop();
    }

    private static Emit chat(String room, int n) {
        return Emit.newBuilder().setRoomId(room).setName("chat").setPayload(ByteString.copyFromUtf8("m" + n)).build();
    }

    @Test
    void aPlayerWhoseNodeWasKilledResumesOnAnotherNodeWithItsSeatAndEveryMissedEventOnce() throws Exception {
        TestClient ann = players.connect(owner.port());
        ann.hello("ann");
        String room = ann.quickJoin("orb-rush").getRoomId();
        TestClient ben = players.connect(gateway.port());
        Welcome benWelcome = ben.hello("ben");
        Joined benJoined = ben.join(room);
        ann.emit(chat(room, 0));
        long lastSeen = ben.await(f -> f.hasEvent() && f.getEvent().getRoomId().equals(room)).getEvent().getOffset();

        gateway.kill(); // ben's node dies; his session's record stays in Redis for the seat grace
        for (int n = 1; n <= 5; n++) {
            ann.emit(chat(room, n)); // missed by ben
        }
        TestClient benAgain = players.connect(owner.port()); // through the load balancer: another node
        benAgain.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName("ben")
                .setResumeToken(benWelcome.getResumeToken())
                .addCursors(RoomCursor.newBuilder().setRoomId(room).setLastEventOffset(lastSeen))).build());
        for (int n = 6; n <= 8; n++) {
            ann.emit(chat(room, n)); // while the resume is on its way
        }

        Welcome welcome = benAgain.await(ServerFrame::hasWelcome).getWelcome();
        assertTrue(welcome.getResumed(), "resumed, on a node that never held the session");
        assertEquals(benWelcome.getSessionId(), welcome.getSessionId(), "the same player");
        List<ServerFrame> frames = new ArrayList<>();
        frames.add(benAgain.await(f -> f.hasJoined() || f.hasState() || f.hasEvent()));
        assertTrue(frames.getFirst().hasJoined(), "the Joined comes before any traffic of the room: " + frames.getFirst());
        assertEquals(benJoined.getSeat(), frames.getFirst().getJoined().getSeat(), "the same seat");
        frames.addAll(benAgain.collect(Duration.ofMillis(800)));
        List<String> events = frames.stream().filter(ServerFrame::hasEvent).map(f -> f.getEvent().getPayload().toStringUtf8()).toList();
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"), events, "every missed event once, in order");
        List<Long> offsets = frames.stream().filter(ServerFrame::hasEvent).map(f -> f.getEvent().getOffset()).toList();
        for (int i = 0; i < offsets.size(); i++) {
            assertEquals(lastSeen + 1 + i, offsets.get(i), "contiguous offsets after the cursor: " + offsets);
        }
        assertEquals(1L, owner.metrics().resumedFromAnotherNode.sum());

        // The token was spent: using it again gets a fresh session, not ben's seat.
        TestClient thief = players.connect(owner.port());
        thief.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName("eve")
                .setResumeToken(benWelcome.getResumeToken())).build());
        Welcome fresh = thief.await(ServerFrame::hasWelcome).getWelcome();
        assertTrue(!fresh.getResumed() && !fresh.getSessionId().equals(benWelcome.getSessionId()));
        assertEquals(ErrorCode.RESUME_FAILED, thief.await(ServerFrame::hasError).getError().getCode());
    }
}
