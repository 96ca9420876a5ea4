package io.roomcast.gateway.cluster;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.testing.NodeProcess;
import io.roomcast.gateway.testing.Players;
import io.roomcast.gateway.testing.RedisForTests;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.Welcome;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.roomcast.gateway.testing.DemoStates.hasAvatar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node drains (SIGTERM to a real node process) while its rooms have players on another node:
 * its rooms move at once, not after a lease of silence, and its own players resume on another
 * node with every seat they held — in its rooms and in rooms owned elsewhere.
 */
class DrainTest {

    /** Long, so that "at once" and "after a lease" cannot be mistaken for each other. */
    private static final int LEASE_MS = 4000;

    @RegisterExtension
    static final RedisForTests redis = new RedisForTests();
    private NodeProcess draining;
    private Node survivor;
    @RegisterExtension
    final Players players = new Players();

    @BeforeEach
    void startNodes() throws Exception {
        draining = NodeProcess.start(Map.of("REDIS_URL", redis.url(), "NODE_ID", "draining",
                "LEASE_MS", Integer.toString(LEASE_MS), "SNAPSHOT_EVERY_TICKS", "10"));
        survivor = TestNodes.start(config -> {
            config.redisUrl = redis.url();
            config.nodeId = "survivor";
            config.leaseMs = LEASE_MS;
        });
    }

    @AfterEach
    void stopNodes() {
        draining.close();
        survivor.stop();
    }

    @Test
    void aDrainingOwnersRoomIsClaimedWithinASecondNotALeaseAndItsOwnPlayerResumesBothSeatsOnAnotherNode() throws Exception {
        TestClient ann = players.connect(draining.port());
        Welcome first = ann.hello("ann");
        String annToken = first.getResumeToken();
        String annId = first.getSessionId();
        TestClient ben = players.hello(survivor.port(), "ben");
        // Room "drained" is owned by the draining node; room "elsewhere" by the survivor. Ann is in both.
        String drained = ann.quickJoin("orb-rush").getRoomId();
        int annSeatInDrained = 0;
        ben.join(drained);
        String elsewhere = ben.quickJoin("bench-arena").getRoomId();
        int annSeatElsewhere = ann.join(elsewhere).getSeat();
        ben.collect(Duration.ofMillis(1200)); // snapshots go by
        assertTrue(survivor.ownedRooms().contains(elsewhere) && !survivor.ownedRooms().contains(drained));

        long termAt = System.nanoTime();
        draining.terminate(); // SIGTERM: sockets closed with 1012, seats given back, rooms handed over, exit
        // The new owner's first state is a keyframe (a periodic keyframe of the old owner does not count).
        State moved = ben.await(f -> f.hasState() && f.getState().getRoomId().equals(drained) && f.getState().getKeyframe()
                && survivor.ownedRooms().contains(drained), Duration.ofSeconds(LEASE_MS / 1000 + 5)).getState();
        long movedMs = (System.nanoTime() - termAt) / 1_000_000;
        System.out.printf("DrainTest: the drained room moved %d ms after SIGTERM (lease %d ms)%n", movedMs, LEASE_MS);
        assertTrue(movedMs < 1000, "the room moved " + movedMs + " ms after SIGTERM, "
                + "not after a lease of " + LEASE_MS + " ms of silence");
        assertEquals(1012, ann.awaitClose(), "ann was told to reconnect");

        // Ann comes back through another node with her token: both seats are hers still.
        TestClient annAgain = players.connect(survivor.port());
        annAgain.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName("ann")
                .setResumeToken(annToken)).build());
        Welcome welcome = annAgain.await(ServerFrame::hasWelcome).getWelcome();
        assertTrue(welcome.getResumed(), "resumed on another node");
        assertEquals(annId, welcome.getSessionId(), "the same player");
        List<Joined> joined = List.of(annAgain.await(ServerFrame::hasJoined).getJoined(), annAgain.await(ServerFrame::hasJoined).getJoined());
        assertEquals(java.util.Set.of(drained, elsewhere), java.util.Set.of(joined.get(0).getRoomId(), joined.get(1).getRoomId()));
        for (Joined room : joined) {
            int expected = room.getRoomId().equals(drained) ? annSeatInDrained : annSeatElsewhere;
            assertEquals(expected, room.getSeat(), "the same seat in " + room.getRoomId());
        }
        assertTrue(hasAvatar(moved, annSeatInDrained), "ann's avatar was carried over with the room");
        assertTrue(((String) redis.command("GET", RedisKeys.lease(drained))).startsWith("survivor:"));
        assertTrue(ben.drain().stream().noneMatch(ServerFrame::hasLeft), "ben kept his seats");
    }

}
