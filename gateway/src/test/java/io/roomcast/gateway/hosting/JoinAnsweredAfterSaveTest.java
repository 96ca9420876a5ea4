package io.roomcast.gateway.hosting;

import io.roomcast.core.loop.Clock;
import io.roomcast.games.BundledGames;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.EventStore;
import io.roomcast.gateway.cluster.SnapshotStore;
import io.roomcast.gateway.cluster.local.LocalMessageBus;
import io.roomcast.gateway.cluster.local.LocalPresence;
import io.roomcast.gateway.cluster.local.LocalRoomDirectory;
import io.roomcast.gateway.cluster.local.LocalRoomOwnership;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.members.Members;
import io.roomcast.gateway.routing.MemberChannels;
import io.roomcast.gateway.routing.RoomCreator;
import io.roomcast.proto.cluster.HostSnapshot;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An owner answers a join only once the seat it gives is saved (docs/architecture.md, "A seat is
 * saved before anyone hears of it"): an owner that died between the answer and the save left a
 * snapshot without the seat, and the node that took the room over dropped that player's inputs
 * while his gateway still counted him seated. The owner side here is the real one on the
 * single-node parts; only its snapshot store is one whose saves the test holds back.
 */
class JoinAnsweredAfterSaveTest {

    /** Saves land when the gate is open; a save waits (off the caller's thread) while it is shut. */
    private static final class GatedSnapshots implements SnapshotStore {
        final Map<String, byte[]> saved = new ConcurrentHashMap<>();
        volatile CountDownLatch gate = new CountDownLatch(0);

        @Override
        public CompletionStage<Void> save(String roomId, byte[] snapshot) {
            CountDownLatch waitFor = gate;
            return CompletableFuture.runAsync(() -> {
                try {
                    waitFor.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                saved.put(roomId, snapshot);
            });
        }

        @Override
        public CompletionStage<Optional<byte[]>> load(String roomId) {
            return CompletableFuture.completedFuture(Optional.ofNullable(saved.get(roomId)));
        }

        @Override
        public CompletionStage<Void> delete(String roomId) {
            saved.remove(roomId);
            return CompletableFuture.completedFuture(null);
        }

        boolean seats(String roomId, String playerId) throws Exception {
            byte[] snapshot = saved.get(roomId);
            return snapshot != null && HostSnapshot.parseFrom(snapshot).getPlayerNodesMap().containsKey(playerId);
        }
    }

    private final GatedSnapshots snapshots = new GatedSnapshots();
    private final RoomWorkers workers = new RoomWorkers(2);
    private OwnerSide owner;

    @AfterEach
    void stop() {
        snapshots.gate.countDown();
        if (owner != null) {
            owner.closeAll(2_000);
        }
        workers.close();
    }

    private OwnerSide ownerSide() {
        NodeConfig config = NodeConfig.defaults();
        config.nodeId = "owner";
        LocalMessageBus bus = new LocalMessageBus();
        NodeMetrics metrics = new NodeMetrics();
        return new OwnerSide(config.validate(), BundledGames.all(), new LocalRoomDirectory(), new LocalRoomOwnership("owner"),
                snapshots, EventStore.NONE, bus, new LocalPresence("owner", "1"), workers, Clock.SYSTEM, metrics,
                new Members("owner", bus, metrics), new MemberChannels("owner", bus));
    }

    private static JoinRequest join(String roomId, String player) {
        return JoinRequest.newBuilder().setRoomId(roomId).setPlayerId(player).setPlayerName(player)
                .setGatewayIncarnation("b1").build();
    }

    @Test
    void aJoinIsAnsweredOnlyOnceTheSnapshotHoldsItsSeat() throws Exception {
        owner = ownerSide();
        RoomCreator.Created created = owner.creator().create("orb-rush", null, Map.of()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        String room = created.roomId();
        JoinReply ann = owner.requests().join("node-b", join(room, "ann"), false).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertTrue(ann.getOk(), "ann is seated: " + ann);
        assertTrue(snapshots.seats(room, "ann"), "ann's seat is saved by the time she is answered");

        snapshots.gate = new CountDownLatch(1); // Redis is slow to take the next save
        CompletableFuture<JoinReply> ben = owner.requests().join("node-b", join(room, "ben"), false).toCompletableFuture();
        Thread.sleep(500);
        assertFalse(ben.isDone(), "ben's Joined waits for the save of his seat (the saved snapshot names ben: "
                + snapshots.seats(room, "ben") + ")");

        snapshots.gate.countDown();
        assertTrue(ben.get(5, TimeUnit.SECONDS).getOk(), "ben is seated once the save is in");
        assertTrue(snapshots.seats(room, "ben"), "the snapshot in the store holds ben's seat");
    }

    /** A rejoin through another node (a resume) moves the seat: answered once the snapshot says where the player is now. */
    @Test
    void aSeatMovedToAnotherNodeIsAnsweredOnlyOnceThatIsSaved() throws Exception {
        owner = ownerSide();
        String room = owner.creator().create("orb-rush", null, Map.of()).toCompletableFuture().get(5, TimeUnit.SECONDS).roomId();
        assertTrue(owner.requests().join("node-b", join(room, "ann"), false).toCompletableFuture().get(5, TimeUnit.SECONDS).getOk());

        snapshots.gate = new CountDownLatch(1);
        CompletableFuture<JoinReply> back = owner.requests().join("node-c", join(room, "ann").toBuilder().setRejoin(true).build(), false)
                .toCompletableFuture();
        Thread.sleep(500);
        assertFalse(back.isDone(), "ann's rejoin through node-c waits for the save of her seat's new node");

        snapshots.gate.countDown();
        assertTrue(back.get(5, TimeUnit.SECONDS).getOk(), "ann has her seat back");
        assertTrue("node-c".equals(HostSnapshot.parseFrom(snapshots.saved.get(room)).getPlayerNodesMap().get("ann")),
                "the snapshot in the store has ann on node-c");
    }
}
