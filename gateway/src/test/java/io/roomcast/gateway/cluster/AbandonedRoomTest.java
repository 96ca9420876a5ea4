package io.roomcast.gateway.cluster;

import io.roomcast.gateway.Node;
import io.roomcast.proto.v1.RoomCursor;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import com.google.protobuf.ByteString;
import io.roomcast.gateway.testing.NodeProcess;
import io.roomcast.gateway.testing.Players;
import io.roomcast.gateway.testing.RedisForTests;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every player of a room is on its owner's node, so no other node listens to the room, and the
 * owner dies (kill -9) or drains (SIGTERM). Nobody can notice the room's silence; the players
 * come back through another node with their resume tokens, and that node must take the room
 * over from its snapshot and give them their seats — not answer "room gone" after the rejoin
 * window (a chaos run found 6 bots unseated so).
 */
class AbandonedRoomTest {

    private static final int LEASE_MS = 1500;

    @RegisterExtension
    static final RedisForTests redis = new RedisForTests();
    @RegisterExtension
    final Players players = new Players();
    private NodeProcess owner;
    private Node survivor;

    @BeforeEach
    void startNodes() throws Exception {
        owner = NodeProcess.start(Map.of("REDIS_URL", redis.url(), "NODE_ID", "owner", "LEASE_MS", Integer.toString(LEASE_MS),
                "SNAPSHOT_EVERY_TICKS", "10"));
        survivor = TestNodes.start(config -> {
            config.redisUrl = redis.url();
            config.nodeId = "survivor";
            config.leaseMs = LEASE_MS;
        });
    }

    @AfterEach
    void stopNodes() {
        owner.close();
        survivor.stop();
    }

    private record Seated(String room, String name, Welcome welcome, Joined joined, TestClient client) {}

    /** Ann and ben on the owner's node, in one room, a snapshot of it saved. */
    private List<Seated> twoPlayersOnTheOwner() throws Exception {
        TestClient ann = players.connect(owner.port());
        Welcome annWelcome = ann.hello("ann");
        Joined annJoined = ann.quickJoin("orb-rush");
        String room = annJoined.getRoomId();
        TestClient ben = players.connect(owner.port());
        Welcome benWelcome = ben.hello("ben");
        Joined benJoined = ben.join(room);
        long from = ben.await(ServerFrame::hasState).getState().getTick();
        ben.await(f -> f.hasState() && f.getState().getTick() >= from + 12); // a snapshot with both seats
        return List.of(new Seated(room, "ann", annWelcome, annJoined, ann), new Seated(room, "ben", benWelcome, benJoined, ben));
    }

    /** Each player resumes on the survivor: its seat back, the Joined first, within {@code within}. */
    private void everyoneResumesOnTheSurvivor(List<Seated> seated, Duration within) throws Exception {
        for (Seated player : seated) {
            TestClient again = players.connect(survivor.port());
            again.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1)
                    .setPlayerName(player.name()).setResumeToken(player.welcome().getResumeToken())).build());
            assertTrue(again.await(ServerFrame::hasWelcome).getWelcome().getResumed(), "the session is kept in Redis");
            long start = System.nanoTime();
            ServerFrame first = again.await(f -> f.hasJoined() || f.hasLeft() || f.hasState(), within);
            assertTrue(first.hasJoined(), "the seat comes back, not " + first + " after "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            assertEquals(player.room(), first.getJoined().getRoomId());
            assertEquals(player.joined().getSeat(), first.getJoined().getSeat(), "the same seat");
            again.await(f -> f.hasState() && f.getState().getRoomId().equals(player.room())); // and the room plays on
        }
        assertTrue(survivor.ownedRooms().contains(seated.getFirst().room()), "the survivor took the room over");
    }

    @Test
    void theOwnerIsKilledWithEveryPlayerOfItsRoom() throws Exception {
        List<Seated> seated = twoPlayersOnTheOwner();
        owner.kill();
        everyoneResumesOnTheSurvivor(seated, Duration.ofSeconds(8));
    }

    /**
     * The owner gave out room events it never stored — they are in no snapshot, and its event
     * store lost them (here: the stream deleted; in play, a Redis blip with the owner killed within
     * a snapshot interval, as a chaos run had it) — and died. Ann, who saw them, resumes on the
     * survivor, which claims the room: its next event must come after the ones Ann saw, not reuse
     * their offsets (she would drop it as a repeat; a chaos run counted 6 bots hearing "event 63 again").
     */
    @Test
    void aRoomClaimedByAResumeGoesOnPastTheEventsItsPlayerSawThatTheDeadOwnerNeverStored() throws Exception {
        List<Seated> seated = twoPlayersOnTheOwner();
        Seated annSeated = seated.get(0);
        String room = annSeated.room();
        TestClient ann = annSeated.client();
        long seen = 0;
        for (int i = 0; i < 5; i++) {
            seen = ann.emitAcked(room, "chat", ByteString.copyFromUtf8("hi " + i)).getEventOffset();
        }
        redis.command("DEL", RedisKeys.events(room));
        owner.kill();

        TestClient again = players.connect(survivor.port());
        again.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName("ann")
                .setResumeToken(annSeated.welcome().getResumeToken())
                .addCursors(RoomCursor.newBuilder().setRoomId(room).setLastEventOffset(seen))).build());
        ServerFrame first = again.await(f -> f.hasJoined() || f.hasLeft(), Duration.ofSeconds(8));
        assertTrue(first.hasJoined(), "ann gets her seat back, not " + first);
        assertEquals(0, first.getJoined().getEventsMissed(), "she missed nothing");
        long next = again.emitAcked(room, "chat", ByteString.copyFromUtf8("after")).getEventOffset();
        assertEquals(seen + 1, next, "the room's next event goes on after the last one ann saw (" + seen + ")");
    }

    @Test
    void theOwnerDrainsWithEveryPlayerOfItsRoom() throws Exception {
        List<Seated> seated = twoPlayersOnTheOwner();
        owner.terminate(); // SIGTERM: the room's snapshot is saved and its lease released, but nobody listens
        everyoneResumesOnTheSurvivor(seated, Duration.ofSeconds(3));
    }
}
