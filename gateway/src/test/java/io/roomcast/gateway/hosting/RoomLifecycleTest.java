package io.roomcast.gateway.hosting;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.RedisServer;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestGames;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.Leave;
import io.roomcast.proto.v1.RoomCursor;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A room's life across two in-process nodes clustered through a real Redis: a session that
 * resumes, a join its gateway gave up on, a room whose game gets stuck. Node A ("node-a") owns
 * the rooms (its player creates them); the player under test is on node B ("node-b").
 */
class RoomLifecycleTest {

    private static final int LEASE_MS = 1500;

    private static RedisServer redis;
    private Node a;
    private Node b;
    private final List<TestClient> clients = new ArrayList<>();
    private ScheduledExecutorService emitter;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void flush() {
        redis.command("FLUSHALL");
    }

    @AfterEach
    void stopEverything() throws Exception {
        TestGames.releaseStall(); // before the nodes stop: a stuck room would hold up A's drain
        if (emitter != null) {
            emitter.shutdownNow();
            emitter.awaitTermination(2, TimeUnit.SECONDS);
        }
        clients.forEach(TestClient::close);
        clients.clear();
        for (Node node : new Node[]{a, b}) {
            if (node != null) {
                node.stop();
            }
        }
    }

    private void startCluster(Consumer<NodeConfig> tweak) {
        a = startNode("node-a", tweak);
        b = startNode("node-b", tweak);
    }

    private Node startNode(String id, Consumer<NodeConfig> tweak) {
        return TestNodes.startWith(TestGames.ALL, config -> {
            config.redisUrl = redis.url();
            config.nodeId = id;
            config.leaseMs = LEASE_MS;
            tweak.accept(config);
        });
    }

    private TestClient connect(Node node) throws Exception {
        TestClient client = TestClient.connect(node.port());
        clients.add(client);
        return client;
    }

    private TestClient player(Node node, String name) throws Exception {
        TestClient client = connect(node);
        assertEquals(node.nodeId(), client.hello(name).getNodeId());
        return client;
    }

    // ───────────── 1. resume ─────────────

    private static final int RESUMES = 6;

    /**
     * Ben, on node B, drops his socket and resumes his session on a new one, several times, while
     * the room (owned by A, 200 ticks a second) keeps sending states and Ann keeps emitting room
     * events. Each time he must get the room's Joined before any of its states or events (a client
     * cannot apply a state of a room it has not (re)joined), and every event after his cursor
     * exactly once, in order.
     */
    @Test
    void aResumedSessionGetsItsJoinedBeforeAnyTrafficOfTheRoomAndEveryMissedEventExactlyOnceInOrder() throws Exception {
        startCluster(config -> {
            config.tickRate = 200;
            config.maxEmitsPerSecond = 1000;
        });
        TestClient ann = player(a, "ann");
        String room = ann.quickJoin("orb-rush").getRoomId();
        TestClient ben = connect(b);
        Welcome welcome = ben.hello("ben");
        Joined joined = ben.join(room);
        long lastOffset = joined.getLastEventOffset();

        // Ann emits a room event every 5 ms from here on (200/s; the room's log keeps 256).
        AtomicInteger emitted = new AtomicInteger();
        emitter = Executors.newSingleThreadScheduledExecutor();
        emitter.scheduleAtFixedRate(() -> ann.emit(Emit.newBuilder().setRoomId(room).setName("beat")
                .setPayload(ByteString.copyFromUtf8(Integer.toString(emitted.incrementAndGet()))).build()),
                0, 5, TimeUnit.MILLISECONDS);

        String token = welcome.getResumeToken();
        for (int resume = 1; resume <= RESUMES; resume++) {
            // Ben hears the room for a while (at least 10 more events), then his network drops.
            long target = lastOffset + 10;
            while (lastOffset < target) {
                lastOffset = Math.max(lastOffset, ben.await(f -> isEventOf(f, room)).getEvent().getOffset());
            }
            ben.abort();
            for (ServerFrame late : ben.drain()) { // what had arrived before the drop was seen too
                if (isEventOf(late, room)) {
                    lastOffset = Math.max(lastOffset, late.getEvent().getOffset());
                }
            }
            int emittedAtDrop = emitted.get();
            Eventually.holds(() -> emitted.get() >= emittedAtDrop + 5, "ann emitted events while ben was away");

            TestClient again = connect(b);
            again.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName("ben")
                    .setResumeToken(token)
                    .addCursors(RoomCursor.newBuilder().setRoomId(room).setLastEventOffset(lastOffset))).build());
            Welcome resumedWelcome = again.await(ServerFrame::hasWelcome).getWelcome();
            assertTrue(resumedWelcome.getResumed(), "resume #" + resume + ": seats kept");
            token = resumedWelcome.getResumeToken(); // a token works once: the next resume uses the new one
            List<ServerFrame> frames = again.collect(Duration.ofMillis(400));

            int joinedAt = -1;
            for (int i = 0; i < frames.size() && joinedAt < 0; i++) {
                ServerFrame frame = frames.get(i);
                if (frame.hasJoined() && frame.getJoined().getRoomId().equals(room)) {
                    joinedAt = i;
                } else if (isStateOf(frame, room) || isEventOf(frame, room)) {
                    fail("resume #" + resume + ": ben got " + describe(frame) + " of room " + room
                            + " before its Joined; frames after the Welcome: " + describe(frames));
                }
            }
            assertTrue(joinedAt >= 0, "resume #" + resume + ": no Joined within 400 ms of the Welcome: " + describe(frames));

            List<Long> offsets = frames.stream().filter(f -> isEventOf(f, room)).map(f -> f.getEvent().getOffset()).toList();
            assertFalse(offsets.isEmpty(), "resume #" + resume + ": the events emitted while ben was away were replayed");
            for (int i = 0; i < offsets.size(); i++) {
                if (offsets.get(i) != lastOffset + 1 + i) {
                    fail("resume #" + resume + ": events after cursor " + lastOffset + " must arrive once each, in order ("
                            + (lastOffset + 1) + ", " + (lastOffset + 2) + ", ...); got offsets " + offsets);
                }
            }
            lastOffset = offsets.getLast();
            ben = again;
        }
    }

    private static boolean isEventOf(ServerFrame frame, String room) {
        return frame.hasEvent() && frame.getEvent().getRoomId().equals(room);
    }

    private static boolean isStateOf(ServerFrame frame, String room) {
        return frame.hasState() && frame.getState().getRoomId().equals(room);
    }

    private static String describe(ServerFrame frame) {
        return switch (frame.getBodyCase()) {
            case STATE -> "State(tick " + frame.getState().getTick() + ")";
            case EVENT -> "Event(offset " + frame.getEvent().getOffset() + ")";
            case JOINED -> "Joined(last_event_offset " + frame.getJoined().getLastEventOffset() + ")";
            default -> frame.getBodyCase().name();
        };
    }

    private static String describe(List<ServerFrame> frames) {
        List<String> kinds = frames.stream().limit(20).map(RoomLifecycleTest::describe).toList();
        return kinds + (frames.size() > 20 ? " (+" + (frames.size() - 20) + " more)" : "");
    }

    // ───────────── 2. a join answered too late ─────────────

    /**
     * Ben's join takes the owner longer than his gateway waits (5 s): he is told it failed. The
     * owner's late "yes" must not leave a seat behind: once Ann, the only other player, leaves,
     * the room is empty and closes.
     */
    @Test
    void aJoinTheGatewayGaveUpOnLeavesNoSeatBehindAndTheRoomClosesWhenItsPlayersAreGone() throws Exception {
        // The slow admission holds the room's thread 5.5 s: past the default stall budget (5 s), which
        // would give the room up. This test is about the join's reply, so the budget is lifted.
        startCluster(config -> config.roomStallMs = 60_000);
        TestClient ann = player(a, "ann");
        String room = ann.quickJoin(TestGames.SLOW_JOIN.name()).getRoomId();
        assertTrue(a.ownedRooms().contains(room));
        TestClient ben = player(b, "slow-ben");

        ben.send(ClientFrame.newBuilder().setRequestId(7).setJoin(Join.newBuilder().setRoomId(room)).build());
        ServerFrame answer = ben.await(f -> f.hasJoined() || f.hasError(), Duration.ofSeconds(8));
        assertTrue(answer.hasError(), "ben's gateway gave up on the slow join and said so: " + answer);

        ann.send(ClientFrame.newBuilder().setLeave(Leave.newBuilder().setRoomId(room)).build());
        ann.await(f -> f.hasLeft() && f.getLeft().getRoomId().equals(room));
        // The owner says yes about half a second after ben was told no: he must not be seated.
        List<ServerFrame> benAfter = ben.collect(Duration.ofMillis(1500));
        assertTrue(benAfter.stream().noneMatch(ServerFrame::hasJoined), "ben was told his join failed, then got: " + benAfter);
        ben.close();

        Eventually.holds(() -> !a.ownedRooms().contains(room),
                "room " + room + " closes once ann left and ben's failed join holds no seat (node-a still owns "
                        + a.ownedRooms() + ")", Duration.ofSeconds(5));
    }

    // ───────────── 6. a room stuck in its tick ─────────────

    /**
     * The room's game blocks in onTick on node A. A must notice that the room stopped ticking and
     * give up its lease, so node B, whose member Ben hears nothing, takes it over from its last
     * snapshot and Ben gets states again.
     */
    @Test
    void aRoomStuckInItsTickIsDetectedAndItsLeaseGivenUpSoANodeWithMembersTakesItOver() throws Exception {
        startCluster(config -> config.snapshotEveryTicks = 10);
        TestClient ann = player(a, "ann");
        String room = ann.quickJoin(TestGames.STALL_ONCE.name()).getRoomId();
        TestClient ben = player(b, "ben");
        ben.join(room);
        long joinedTick = ben.await(f -> isStateOf(f, room)).getState().getTick();
        ben.await(f -> isStateOf(f, room) && f.getState().getTick() >= joinedTick + 25); // a few snapshots saved
        assertEquals(1L, redis.command("EXISTS", RedisKeys.snapshot(room)), "the room has a snapshot to be taken over from");

        long armedAt = System.nanoTime();
        TestGames.armStall();
        Eventually.holds(() -> room.equals(TestGames.stalledRoom()), "the room's tick got stuck");
        long lastTick = ben.drain().stream().filter(f -> isStateOf(f, room)).mapToLong(f -> f.getState().getTick())
                .max().orElse(joinedTick);

        Duration left = Duration.ofSeconds(15).minusNanos(System.nanoTime() - armedAt);
        Eventually.value(() -> String.valueOf(redis.command("GET", RedisKeys.lease(room))), lease -> lease.startsWith("node-b:"),
                "node-b took over the stuck room (its lease is node:epoch)", left);
        State resumed = ben.await(f -> isStateOf(f, room) && f.getState().getTick() > lastTick).getState();
        State next = ben.await(f -> isStateOf(f, room) && f.getState().getTick() > resumed.getTick()).getState();
        assertTrue(next.getTick() > resumed.getTick());
        assertTrue(b.ownedRooms().contains(room), "node-b ticks the room");
    }
}
