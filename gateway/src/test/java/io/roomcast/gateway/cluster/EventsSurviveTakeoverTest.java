package io.roomcast.gateway.cluster;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.NodeProcess;
import io.roomcast.gateway.testing.Players;
import io.roomcast.gateway.testing.RedisForTests;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.RoomCursor;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Room events logged after the owner's last snapshot survive the owner's death: the node that
 * takes the room over goes on with them (from the room's event store in Redis), so a player who
 * was away gets them replayed when it resumes.
 */
class EventsSurviveTakeoverTest {

    @RegisterExtension
    static final RedisForTests redis = new RedisForTests();
    private NodeProcess owner;
    private Node survivor;
    @RegisterExtension
    final Players players = new Players();

    @AfterEach
    void stop() {
        if (owner != null) {
            owner.close();
        }
        if (survivor != null) {
            survivor.stop();
        }
    }

    @Test
    void eventsLoggedAfterTheLastSnapshotAreReplayedToAPlayerWhoResumesAfterTheTakeover() throws Exception {
        // A snapshot every 100 ticks (5 s): the events below come well after the first one.
        owner = NodeProcess.start(Map.of("REDIS_URL", redis.url(), "NODE_ID", "owner", "LEASE_MS", "1500",
                "SNAPSHOT_EVERY_TICKS", "100"));
        survivor = TestNodes.start(config -> {
            config.redisUrl = redis.url();
            config.nodeId = "survivor";
            config.leaseMs = 1500;
        });
        TestClient ann = players.connect(owner.port());
        ann.hello("ann");
        String room = ann.quickJoin("orb-rush").getRoomId();
        TestClient ben = players.connect(survivor.port());
        ben.hello("ben");
        ben.join(room);
        TestClient cal = players.connect(survivor.port());
        Welcome calWelcome = cal.hello("cal");
        long cursor = cal.join(room).getLastEventOffset();
        Eventually.holds(() -> (Long) redis.command("EXISTS", RedisKeys.snapshot(room)) == 1L, "the first snapshot",
                Duration.ofSeconds(10));

        long ownersEpoch = ben.await(f -> f.hasState()).getState().getEpoch();
        assertTrue(ownersEpoch > 0, "states carry the owner's epoch");
        cal.abort(); // away while the events happen
        for (String text : List.of("one", "two", "three")) {
            assertTrue(ann.emitAcked(room, "chat", ByteString.copyFromUtf8(text)).getOk());
        }
        ben.await(f -> f.hasEvent() && f.getEvent().getPayload().toStringUtf8().equals("three")); // they went out
        owner.kill(); // before its next snapshot: the events exist only in what it published and logged

        Eventually.holds(() -> survivor.ownedRooms().contains(room), "the survivor took the room over", Duration.ofSeconds(10));
        TestClient calAgain = players.connect(survivor.port());
        calAgain.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName("cal")
                .setResumeToken(calWelcome.getResumeToken())
                .addCursors(RoomCursor.newBuilder().setRoomId(room).setLastEventOffset(cursor))).build());
        assertTrue(calAgain.await(ServerFrame::hasWelcome).getWelcome().getResumed());
        Joined resumed = calAgain.await(ServerFrame::hasJoined).getJoined();
        assertEquals(0, resumed.getEventsMissed(), "the replay is complete: nothing the room gave out is gone");
        assertTrue(resumed.getKeyframe().getEpoch() > ownersEpoch, "the survivor's keyframe, at a higher epoch");
        long takenOverAt = ben.await(f -> f.hasState() && f.getState().getEpoch() != ownersEpoch).getState().getEpoch();
        assertTrue(takenOverAt > ownersEpoch, "ben's states go on at the survivor's higher epoch, never a lower one");
        List<String> replayed = calAgain.collect(Duration.ofMillis(800)).stream().filter(ServerFrame::hasEvent)
                .map(f -> f.getEvent().getPayload().toStringUtf8()).toList();
        assertEquals(List.of("one", "two", "three"), replayed, "the events after the snapshot, once, in order");
    }
}
