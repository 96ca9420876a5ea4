package io.roomcast.gateway.cluster;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.testing.NodeProcess;
import io.roomcast.gateway.testing.RedisServer;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.games.demo.DemoEntity;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.KeyframeRequest;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node drains (SIGTERM to a real node process) while its rooms have players on another node:
 * its rooms move at once, not after a lease of silence, and the seats its own players held —
 * in its rooms and in rooms owned elsewhere — are given back instead of staying as ghosts.
 */
class DrainTest {

    /** Long, so that "at once" and "after a lease" cannot be mistaken for each other. */
    private static final int LEASE_MS = 4000;

    private static RedisServer redis;
    private NodeProcess draining;
    private Node survivor;
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
    void startNodes() throws Exception {
        redis.command("FLUSHALL");
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
        clients.forEach(TestClient::close);
        draining.close();
        survivor.stop();
    }

    private TestClient player(int port, String name) throws Exception {
        TestClient client = TestClient.connect(port);
        clients.add(client);
        client.hello(name);
        return client;
    }

    @Test
    void aDrainingOwnersRoomIsClaimedWithinASecondNotALeaseAndItsOwnPlayersSeatsAreGivenBack() throws Exception {
        TestClient ann = player(draining.port(), "ann");
        TestClient ben = player(survivor.port(), "ben");
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

        // Ann's seats are gone: her avatar is not in either room any more, and no seat is held for her.
        assertFalse(hasAvatar(moved, annSeatInDrained), "ann's seat in the drained room was given back before the hand-over");
        ben.send(ClientFrame.newBuilder().setKeyframeRequest(KeyframeRequest.newBuilder().setRoomId(elsewhere)).build());
        State elsewhereNow = ben.await(f -> f.hasState() && f.getState().getRoomId().equals(elsewhere) && f.getState().getKeyframe())
                .getState();
        assertFalse(hasArenaSeat(elsewhereNow, annSeatElsewhere), "ann's seat in the survivor's room was given back: no ghost");
        assertTrue(((String) redis.command("GET", RedisKeys.lease(drained))).startsWith("survivor:"));
        assertTrue(ben.drain().stream().noneMatch(ServerFrame::hasLeft), "ben kept his seats");
    }

    private static boolean hasAvatar(State keyframe, int seat) throws Exception {
        for (Entity entity : keyframe.getEntitiesList()) {
            DemoEntity decoded = DemoEntity.parseFrom(entity.getData());
            if (decoded.hasAvatar() && decoded.getAvatar().getSeat() == seat) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasArenaSeat(State keyframe, int seat) {
        return keyframe.getEntitiesList().stream().anyMatch(e -> e.getId() == seat);
    }
}
