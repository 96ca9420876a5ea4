package io.roomcast.gateway.cluster;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.NodeProcess;
import io.roomcast.gateway.testing.Players;
import io.roomcast.gateway.testing.RedisForTests;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Leave;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.roomcast.gateway.testing.DemoStates.freshKeyframe;
import static io.roomcast.gateway.testing.DemoStates.hasAvatar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node dies (kill -9 of a real node process) while its player sits in a room another node
 * owns: the owner frees that seat once the node has been gone for the seat grace — also when the
 * node comes back under the same id as a new process — and the room goes on, or closes when that
 * was its last player. Before, such seats were held forever.
 */
class OrphanedSeatsTest {

    private static final int LEASE_MS = 1500;
    private static final int SEAT_GRACE_MS = 1500;

    @RegisterExtension
    static final RedisForTests redis = new RedisForTests();
    private Node owner;
    private final List<NodeProcess> gateways = new ArrayList<>();
    @RegisterExtension
    final Players players = new Players();

    @BeforeEach
    void startOwner() {
        owner = TestNodes.start(config -> {
            config.redisUrl = redis.url();
            config.nodeId = "owner";
            config.leaseMs = LEASE_MS;
            config.seatGraceMs = SEAT_GRACE_MS;
        });
    }

    @AfterEach
    void stopNodes() {
        gateways.forEach(NodeProcess::close);
        owner.stop();
    }

    private NodeProcess gateway(String id) throws Exception {
        NodeProcess node = NodeProcess.start(Map.of("REDIS_URL", redis.url(), "NODE_ID", id,
                "LEASE_MS", Integer.toString(LEASE_MS), "SEAT_GRACE_MS", Integer.toString(SEAT_GRACE_MS)));
        gateways.add(node);
        return node;
    }

    @Test
    void theSeatOfAPlayerWhoseNodeWasKilledIsFreedAfterTheGraceAndTheRoomGoesOn() throws Exception {
        NodeProcess gateway = gateway("gw-b");
        TestClient ann = players.hello(owner.port(), "ann");
        String room = ann.quickJoin("orb-rush").getRoomId();
        TestClient ben = players.hello(gateway.port(), "ben");
        int benSeat = ben.join(room).getSeat();
        assertTrue(hasAvatar(freshKeyframe(ann, room), benSeat), "ben is in the room");

        long killedAt = System.nanoTime();
        gateway.kill();
        Eventually.holds(() -> owner.metrics().orphanedSeatsFreed.sum() == 1, "ben's seat was freed", Duration.ofSeconds(10));
        long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
        assertTrue(tookMs >= SEAT_GRACE_MS, "not before the grace: " + tookMs + " ms");
        assertTrue(!hasAvatar(freshKeyframe(ann, room), benSeat), "ben's avatar left the room ann plays in");
        System.out.printf("OrphanedSeatsTest: a killed node's seat freed %d ms after the kill (lease %d, grace %d)%n",
                tookMs, LEASE_MS, SEAT_GRACE_MS);

        ann.send(ClientFrame.newBuilder().setLeave(Leave.newBuilder().setRoomId(room)).build());
        Eventually.holds(() -> owner.ownedRooms().isEmpty(), "with ann gone too the room closes: no ghost keeps it open");
    }

    @Test
    void aNodeRestartedUnderTheSameIdIsANewProcessWhosePredecessorsSeatsAreFreed() throws Exception {
        NodeProcess first = gateway("gw-c");
        TestClient ann = players.hello(owner.port(), "ann");
        String room = ann.quickJoin("orb-rush").getRoomId();
        TestClient ben = players.hello(first.port(), "ben");
        int benSeat = ben.join(room).getSeat();
        // A keyframe round trip later ben's gateway has claimed the seat (else it would go as an unclaimed reservation).
        assertTrue(hasAvatar(freshKeyframe(ann, room), benSeat), "ben is in the room");

        first.kill();
        gateway("gw-c"); // back at once, same id, before its heartbeat could lapse
        Eventually.holds(() -> owner.metrics().orphanedSeatsFreed.sum() == 1,
                "the seat of the old process's player was freed although a node 'gw-c' is alive", Duration.ofSeconds(10));
        assertTrue(!hasAvatar(freshKeyframe(ann, room), benSeat));
        assertEquals(0L, owner.metrics().unclaimedSeatsFreed.sum(), "freed as an orphan, not as an unclaimed reservation");
        assertEquals(1, owner.ownedRooms().size(), "ann's room goes on");
    }

}
