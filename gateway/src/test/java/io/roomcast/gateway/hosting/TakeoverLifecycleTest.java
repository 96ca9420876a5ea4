package io.roomcast.gateway.hosting;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.testing.DemoStates;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.NodeProcess;
import io.roomcast.gateway.testing.RedisForTests;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.Leave;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What becomes of a room after its owner dies: the owner is a process of its own, killed with
 * SIGKILL; the survivor is an in-process node with a member in the room. Ann plays on the owner
 * (her session dies with it), Ben on the survivor.
 */
class TakeoverLifecycleTest {

    private static final int LEASE_MS = 1500;
    private static final int SEAT_GRACE_MS = 2500;

    @RegisterExtension
    static final RedisForTests redis = new RedisForTests();
    private NodeProcess owner;
    private Node survivor;
    private final List<TestClient> clients = new ArrayList<>();




    @AfterEach
    void stopNodes() {
        clients.forEach(TestClient::close);
        clients.clear();
        if (owner != null) {
            owner.close();
        }
        if (survivor != null) {
            survivor.stop();
        }
    }

    private void startNodes(int ownerSnapshotEveryTicks) throws Exception {
        owner = NodeProcess.start(Map.of("REDIS_URL", redis.url(), "NODE_ID", "owner", "LEASE_MS", Integer.toString(LEASE_MS),
                "SNAPSHOT_EVERY_TICKS", Integer.toString(ownerSnapshotEveryTicks)));
        survivor = TestNodes.start(config -> {
            config.redisUrl = redis.url();
            config.nodeId = "survivor";
            config.leaseMs = LEASE_MS;
            config.seatGraceMs = SEAT_GRACE_MS;
            config.snapshotEveryTicks = 10;
        });
    }

    private TestClient player(int port, String name) throws Exception {
        TestClient client = TestClient.connect(port);
        clients.add(client);
        client.hello(name);
        return client;
    }

    private record Room(String id, int annSeat) {}

    /** Ann creates an orb-rush room on the owner, Ben joins it on the survivor and hears it. */
    private Room roomOfAnnAndBen(TestClient ann, TestClient ben) throws Exception {
        Joined annJoined = ann.quickJoin("orb-rush");
        String room = annJoined.getRoomId();
        ben.join(room);
        ben.await(f -> isStateOf(f, room));
        return new Room(room, annJoined.getSeat());
    }

    /** Kills the owner and waits until the survivor ticks the room (at a higher epoch: a new lease value). */
    private void killOwnerAndAwaitTakeover(String room) throws Exception {
        owner.kill();
        Eventually.value(() -> String.valueOf(redis.command("GET", RedisKeys.lease(room))),
                lease -> lease.startsWith("survivor:") && survivor.ownedRooms().contains(room),
                "the survivor took the room over", Duration.ofSeconds(10));
    }

    private void leave(TestClient client, String room) throws InterruptedException {
        client.send(ClientFrame.newBuilder().setLeave(Leave.newBuilder().setRoomId(room)).build());
        client.await(f -> f.hasLeft() && f.getLeft().getRoomId().equals(room));
    }

    // ───────────── seats taken since the last periodic snapshot ─────────────

    /**
     * Ann opens the room on the owner and Ben joins it from the survivor, both after the owner's
     * last periodic snapshot (none comes for 100 000 ticks here: in play, a join up to a snapshot
     * interval before a kill). The owner dies: the room goes on with both seats — Ben plays on in
     * his, and Ann, whose node died with the owner, resumes hers on the survivor. (Before every
     * change of seats was saved, the takeover found no snapshot and ended the room; with an older
     * snapshot it refused their resumes: "the seat was given up", as a chaos run saw.)
     */
    @Test
    void playersSeatedSinceTheLastPeriodicSnapshotKeepTheirSeatsThroughATakeover() throws Exception {
        startNodes(100_000);
        TestClient ann = TestClient.connect(owner.port());
        clients.add(ann);
        String annToken = ann.hello("ann").getResumeToken();
        TestClient ben = player(survivor.port(), "ben");
        Joined annJoined = ann.quickJoin("orb-rush");
        String room = annJoined.getRoomId();
        int benSeat = ben.join(room).getSeat();
        ben.await(f -> isStateOf(f, room));

        killOwnerAndAwaitTakeover(room);
        ServerFrame afterTakeover = ben.await(f -> isStateOf(f, room) || f.hasLeft(), Duration.ofSeconds(5));
        assertTrue(afterTakeover.hasState(), "ben's room goes on, not " + afterTakeover);

        TestClient again = TestClient.connect(survivor.port());
        clients.add(again);
        again.send(ClientFrame.newBuilder().setHello(io.roomcast.proto.v1.Hello.newBuilder().setProtocolVersion(1)
                .setPlayerName("ann").setResumeToken(annToken)).build());
        assertTrue(again.await(ServerFrame::hasWelcome).getWelcome().getResumed(), "ann's session is resumed");
        ServerFrame first = again.await(f -> f.hasJoined() || f.hasLeft(), Duration.ofSeconds(8));
        assertTrue(first.hasJoined(), "ann gets her seat back, not " + first);
        assertEquals(annJoined.getSeat(), first.getJoined().getSeat(), "the same seat");
        assertTrue(ben.drain().stream().noneMatch(ServerFrame::hasLeft), "ben was not unseated");
        // The new owner knows Ben's seat: his inputs are applied to it.
        boolean applied = false;
        List<String> heard = new ArrayList<>();
        for (int seq = 1; seq <= 40 && !applied; seq++) {
            ben.input(room, seq, DemoInput.newBuilder().setDx(1).build().toByteString());
            List<ServerFrame> frames = ben.collect(Duration.ofMillis(50));
            frames.forEach(f -> heard.add(f.hasState()
                    ? "state " + f.getState().getEpoch() + "/" + f.getState().getTick() + " applied " + DemoStates.applied(f.getState(), benSeat)
                    : f.getBodyCase() + " " + f));
            applied = frames.stream().anyMatch(f -> isStateOf(f, room) && DemoStates.applied(f.getState(), benSeat) > 0);
        }
        assertTrue(applied, "ben's inputs are applied to his seat by the new owner; he heard " + heard);
    }

    // ───────────── 3. a room taken over closes once its last seat expires ─────────────

    /**
     * After the takeover Ben leaves; Ann's seat is only held for her (her node died with her
     * session) until the seat grace period ends. When it does the room is empty: it must close,
     * stop ticking on the survivor and leave its lease, snapshot and directory entry behind.
     * (Its epoch key is the subject of {@link #noKeyOfARoomTakenOverIsLeftOnceItCloses}.)
     */
    @Test
    void aRoomTakenOverClosesWhenTheSeatsOfTheDeadOwnersPlayersExpireAfterTheOthersLeft() throws Exception {
        startNodes(10);
        TestClient ann = player(owner.port(), "ann");
        TestClient ben = player(survivor.port(), "ben");
        String room = roomOfAnnAndBen(ann, ben).id();
        Eventually.holds(() -> Objects.equals(1L, redis.command("EXISTS", RedisKeys.snapshot(room))), "a snapshot was saved");
        long snapshotsFrom = ben.await(f -> isStateOf(f, room)).getState().getTick();
        ben.await(f -> isStateOf(f, room) && f.getState().getTick() >= snapshotsFrom + 20); // a couple more snapshots

        killOwnerAndAwaitTakeover(room);
        long tookOverAt = System.nanoTime();
        leave(ben, room); // well within ann's seat grace period

        long graceLeftMs = SEAT_GRACE_MS - (System.nanoTime() - tookOverAt) / 1_000_000;
        assertTrue(graceLeftMs > 0, "ben left before ann's seat expired");
        Eventually.value(() -> survivor.ownedRooms().contains(room)
                        ? "still owned by the survivor, directory entry " + redis.command("HGETALL", RedisKeys.info(room))
                        : "closed", "closed"::equals,
                "room " + room + " closed once ann's seat expired (" + SEAT_GRACE_MS + " ms after the takeover) and ben had left",
                Duration.ofMillis(graceLeftMs + 3000));
        Eventually.value(() -> keysOf(room).stream().filter(k -> !k.equals(RedisKeys.epoch(room))).toList(), List::isEmpty,
                "the closed room's lease, snapshot and directory entry are gone", Duration.ofSeconds(3));
        assertEquals(0L, redis.command("ZCARD", RedisKeys.openRooms("orb-rush")), "no open orb-rush room is listed");
    }

    /**
     * Ben leaves just as the owner dies: his node answers Left at once, but the leave goes to a
     * dead owner and is lost, so the survivor restores Ben's seat from the snapshot. When Ben
     * comes back to the room he must get that seat back, not ALREADY_IN_ROOM for a seat nobody
     * can use.
     */
    @Test
    void aPlayerWhoseLeaveWasLostWithTheOwnerGetsItsSeatBackWhenItJoinsAgain() throws Exception {
        startNodes(10);
        TestClient ann = player(owner.port(), "ann");
        TestClient ben = player(survivor.port(), "ben");
        TestClient cal = player(survivor.port(), "cal"); // stays: the survivor listens to the room and takes it over
        String room = ann.quickJoin("orb-rush").getRoomId();
        cal.join(room);
        int benSeat = ben.join(room).getSeat();
        Eventually.holds(() -> Objects.equals(1L, redis.command("EXISTS", RedisKeys.snapshot(room))), "a snapshot was saved");
        long from = ben.await(f -> isStateOf(f, room)).getState().getTick();
        ben.await(f -> isStateOf(f, room) && f.getState().getTick() >= from + 12); // a snapshot with ben's seat in it

        owner.kill();
        leave(ben, room); // sent to the dead owner: lost
        killOwnerAndAwaitTakeover(room);

        ben.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(room)).build());
        ServerFrame answer = ben.await(f -> f.hasJoined() || f.hasError());
        assertTrue(answer.hasJoined(), "ben joins the room again: " + answer);
        assertEquals(benSeat, answer.getJoined().getSeat(), "the seat the lost leave left behind is his again");
    }

    // ───────────── 4. a takeover without a snapshot ─────────────

    /**
     * The owner dies before it ever saved a snapshot, so the room cannot be restored. Within
     * about two leases (plus the survivor's check period) Ben must learn it: a Left for the room,
     * or a fresh room's keyframe followed by ticks. And the survivor must stop claiming the room
     * over and over: the room's epoch stops climbing.
     */
    @Test
    void aTakeoverWithNoSnapshotEndsTheRoomOrStartsItAfreshInsteadOfClaimingItForever() throws Exception {
        startNodes(100_000); // never snapshots
        TestClient ann = player(owner.port(), "ann");
        TestClient ben = player(survivor.port(), "ben");
        String room = roomOfAnnAndBen(ann, ben).id();
        // Every change of seats is saved at once; the one saved for Ben's join is lost here (as with
        // a Redis that came back empty just before the owner died, or a save that failed).
        Eventually.holds(() -> (Long) redis.command("EXISTS", RedisKeys.snapshot(room)) == 1L, "the seats were saved");
        redis.command("DEL", RedisKeys.snapshot(room));

        long killedAt = System.nanoTime();
        owner.kill();
        Duration deadline = Duration.ofMillis(2L * LEASE_MS + 1000);
        ServerFrame outcome;
        try {
            // A keyframe arriving a lease after the death is no state of the dead owner still in flight.
            outcome = ben.await(f -> (f.hasLeft() && f.getLeft().getRoomId().equals(room))
                    || (isStateOf(f, room) && f.getState().getKeyframe() && System.nanoTime() - killedAt > LEASE_MS * 1_000_000L),
                    deadline);
        } catch (AssertionError nothing) {
            throw new AssertionError("within " + deadline.toMillis() + " ms of the owner's death ben got neither a Left for room "
                    + room + " nor a fresh room's keyframe; its lease is " + redis.command("GET", RedisKeys.lease(room))
                    + ", its epoch " + redis.command("GET", RedisKeys.epoch(room)), nothing);
        }
        if (outcome.hasState()) { // a fresh room: it keeps ticking
            List<Long> ticks = ben.collect(Duration.ofSeconds(1)).stream().filter(f -> isStateOf(f, room))
                    .map(f -> f.getState().getTick()).toList();
            assertTrue(ticks.size() >= 10, "the fresh room ticks: " + ticks);
        }

        if (outcome.hasLeft()) {
            assertEquals(LeaveReason.ROOM_LOST, outcome.getLeft().getReason(), "the documented cause: " + outcome.getLeft());
        }
        Object epoch = redis.command("GET", RedisKeys.epoch(room));
        ben.collect(Duration.ofMillis(2L * LEASE_MS)); // two leases: a claim loop would have claimed again
        Object later = redis.command("GET", RedisKeys.epoch(room));
        assertTrue(later == null || later.equals(epoch),
                "the room's epoch stopped climbing (or went with the room): " + epoch + " then " + later);
        assertTrue(outcome.hasState() || keysOf(room).isEmpty(), "a room that ended left no key: " + keysOf(room));
    }

    // ───────────── 5b. no key left behind after a takeover ─────────────

    /**
     * The room is taken over; Ann's seat expires while Ben is still in, then Ben leaves: the room
     * is empty and closes (the order that does not depend on expiry closing rooms). No key of it
     * may remain, the epoch included.
     */
    @Test
    void noKeyOfARoomTakenOverIsLeftOnceItCloses() throws Exception {
        startNodes(10);
        TestClient ann = player(owner.port(), "ann");
        TestClient ben = player(survivor.port(), "ben");
        Room setup = roomOfAnnAndBen(ann, ben);
        String room = setup.id();
        Eventually.holds(() -> Objects.equals(1L, redis.command("EXISTS", RedisKeys.snapshot(room))), "a snapshot was saved");

        killOwnerAndAwaitTakeover(room);
        // Ann's avatar (entity id: her seat) leaves the state when her seat expires.
        ben.await(f -> isStateOf(f, room) && !hasEntity(f.getState(), setup.annSeat()), Duration.ofMillis(SEAT_GRACE_MS + 3000));
        leave(ben, room);
        Eventually.holds(() -> !survivor.ownedRooms().contains(room), "the empty room closed", Duration.ofSeconds(3));

        Eventually.value(() -> keysOf(null), List::isEmpty, "no rc:* key is left once the room taken over closed",
                Duration.ofSeconds(3));
    }

    // ───────────── helpers ─────────────

    /** Keys of the room ({@code rc:{room:<id>}:*}), or every key rooms left when {@code room} is null. */
    static List<String> keysOf(String room) {
        if (room == null) {
            return redis.server().roomKeys();
        }
        List<?> keys = (List<?>) redis.command("KEYS", "rc:{room:" + room + "}:*");
        return keys.stream().map(String::valueOf).sorted().toList();
    }

    /** Whether the entity is in the room after this state: in a keyframe, listed; in a delta, not removed. */
    private static boolean hasEntity(State state, int id) {
        return state.getKeyframe()
                ? state.getEntitiesList().stream().anyMatch(e -> e.getId() == id)
                : !state.getRemovedList().contains(id);
    }

    private static boolean isStateOf(ServerFrame frame, String room) {
        return frame.hasState() && frame.getState().getRoomId().equals(room);
    }
}
