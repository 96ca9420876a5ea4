package io.roomcast.gateway.cluster;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.RedisServer;
import io.roomcast.gateway.testing.Resp;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.RoomFrame;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.SocketTimeoutException;
import io.roomcast.proto.v1.Welcome;
import io.roomcast.proto.v1.Hello;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.roomcast.gateway.testing.DemoStates.applied;
import static io.roomcast.gateway.testing.DemoStates.epochOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Redis itself fails — a real redis-server process killed and started again empty on the same
 * port, as a Redis without persistence restarts — under two real nodes sharing a room.
 */
class RedisFaultsTest {

    private static final int LEASE_MS = 1500;

    private RedisServer redis;
    private final List<Node> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        assumeTrue(RedisServer.availableKind() == RedisServer.Kind.PROCESS, "needs a redis-server process to kill and restart");
        redis = RedisServer.start();
    }

    @AfterEach
    void stopEverything() {
        clients.forEach(TestClient::close);
        nodes.forEach(Node::stop);
        if (redis != null) {
            redis.close();
        }
    }

    private Node node(String id) {
        Node node = TestNodes.start(config -> {
            config.redisUrl = redis.url();
            config.nodeId = id;
            config.leaseMs = LEASE_MS;
        });
        nodes.add(node);
        return node;
    }

    private TestClient player(Node node, String name) throws Exception {
        TestClient client = TestClient.connect(node.port());
        clients.add(client);
        client.hello(name);
        return client;
    }

    @Test
    void aRedisThatRestartsEmptyLeavesTheRoomWithItsOwnerAndPlayAcrossNodesHealsWithNothingStaleReplayed() throws Exception {
        Node a = node("node-a");
        Node b = node("node-b");
        TestClient ann = player(a, "ann");
        TestClient ben = player(b, "ben");
        String room = ann.quickJoin("orb-rush").getRoomId();
        int benSeat = ben.join(room).getSeat();
        ben.await(f -> f.hasState());
        String leaseBefore = (String) redis.command("GET", RedisKeys.lease(room));

        redis.kill();
        Thread.sleep(LEASE_MS); // an outage as long as a lease: the owner's window lapses, the other node hears nothing
        ann.drain();
        ben.drain();
        long restartedAtMs = System.currentTimeMillis();
        redis.restart(); // empty: the lease, the epoch, the snapshot and the directory entry are gone

        // The owner claims its room again (a higher epoch), nobody else does, and ben hears it again.
        State healed = ben.await(f -> f.hasState() || f.hasLeft(), Duration.ofSeconds(10)).getState();
        assertTrue(healed.getServerTimeMs() >= restartedAtMs - 50,
                "no state buffered during the outage was replayed to ben: a state of " + healed.getServerTimeMs()
                        + ", Redis restarted at " + restartedAtMs);
        String leaseAfter = (String) redis.command("GET", RedisKeys.lease(room));
        assertTrue(leaseAfter != null && leaseAfter.startsWith("node-a:"), "the owner holds its room again: " + leaseAfter);
        assertTrue(epochOf(leaseAfter) > epochOf(leaseBefore), "at a higher epoch: " + leaseBefore + " -> " + leaseAfter);
        assertTrue(a.ownedRooms().contains(room) && !b.ownedRooms().contains(room), "one owner, the same one");
        assertEquals(1L, a.metrics().leasesReclaimed.sum());
        // Play goes on across nodes: ben's inputs reach the owner and come back applied; ann plays on.
        // (Ben sends one per tick as a client does: one sent before his node's publishing connection
        // is back is dropped, not queued, and the next one carries on.)
        long healedAt = System.nanoTime();
        int seq = 0;
        boolean applied = false;
        while (!applied && System.nanoTime() - healedAt < 5_000_000_000L) {
            ben.input(room, ++seq, DemoInput.newBuilder().setDx(1).build().toByteString());
            applied = ben.collect(Duration.ofMillis(50)).stream().anyMatch(f -> f.hasState() && applied(f.getState(), benSeat) > 0);
        }
        assertTrue(applied, "ben's inputs are applied again after " + seq + " sent");
        ann.await(ServerFrame::hasState);
        for (TestClient player : List.of(ann, ben)) {
            assertTrue(player.drain().stream().noneMatch(ServerFrame::hasLeft), "nobody was unseated");
        }
        // What Redis lost of the room is written again: the snapshot (for a takeover) and the directory entry.
        Eventually.holds(() -> (Long) redis.command("EXISTS", RedisKeys.snapshot(room)) == 1L
                && (Long) redis.command("EXISTS", RedisKeys.info(room)) == 1L, "the room's snapshot and entry are back");
    }

    /**
     * Ann's chat while Redis is down is logged by her node (the owner) and acked, but its publish
     * fails: nothing reaches ben's node. Once Redis is back, ben must get every one of them, once,
     * in order: his node sees the room's log went past what it delivered and asks the owner.
     */
    @Test
    void roomEventsSentWhileRedisWasDownReachTheOtherNodesPlayersAfterwardsOnceAndInOrder() throws Exception {
        Node a = node("node-a");
        Node b = node("node-b");
        TestClient ann = player(a, "ann");
        TestClient ben = player(b, "ben");
        String room = ann.quickJoin("orb-rush").getRoomId();
        ben.join(room);
        ben.await(ServerFrame::hasState);

        redis.kill();
        List<Long> offsets = new ArrayList<>();
        for (String text : List.of("one", "two", "three")) {
            var ack = ann.emitAcked(room, "chat", ByteString.copyFromUtf8(text));
            assertTrue(ack.getOk(), "the owner logs the event with Redis down: " + ack);
            offsets.add(ack.getEventOffset());
        }
        redis.restart();

        List<Event> heard = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (heard.size() < 3 && System.nanoTime() < deadline) {
            ben.collect(Duration.ofMillis(100)).stream().filter(ServerFrame::hasEvent).map(ServerFrame::getEvent).forEach(heard::add);
        }
        ben.collect(Duration.ofSeconds(1)).stream().filter(ServerFrame::hasEvent).map(ServerFrame::getEvent).forEach(heard::add);
        assertEquals(List.of("one", "two", "three"), heard.stream().map(e -> e.getPayload().toStringUtf8()).toList(),
                "every event sent while Redis was down, once, in order");
        assertEquals(offsets, heard.stream().map(Event::getOffset).toList(), "at the offsets the owner gave them");
        assertEquals(3, b.metrics().eventGapsRepaired.sum());
    }

    /**
     * Redis comes back empty: the record by which another node resumes a session is gone with it.
     * Each node writes its sessions' records again, so a player whose node then dies or drains
     * still resumes elsewhere with its seat (a chaos run saw two bots get RESUME_FAILED).
     */
    @Test
    void aPlayerResumesOnAnotherNodeAfterRedisCameBackEmpty() throws Exception {
        Node a = node("node-a");
        Node b = node("node-b");
        TestClient ann = player(a, "ann");
        String room = ann.quickJoin("orb-rush").getRoomId();
        TestClient ben = TestClient.connect(b.port());
        clients.add(ben);
        var benWelcome = ben.hello("ben");
        int benSeat = ben.join(room).getSeat();

        redis.kill();
        redis.restart(); // empty
        // Before node-b has even reconnected, a record lands in its session hash (another session of
        // its own saved at once, in a busy cluster): the hash exists again, holding that record alone.
        redis.command("HSET", RedisKeys.nodeSessions("node-b"), "p:someone-else", "1");
        Eventually.holds(() -> (Long) redis.command("EXISTS", RedisKeys.lease(room)) == 1L, "the owner claimed its room again");
        Thread.sleep(LEASE_MS); // a heartbeat or two of node-b's
        ben.abort(); // ben's socket drops; he comes back through node-a

        TestClient benAgain = TestClient.connect(a.port());
        clients.add(benAgain);
        benAgain.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1)
                .setPlayerName("ben").setResumeToken(benWelcome.getResumeToken())).build());
        assertTrue(benAgain.await(ServerFrame::hasWelcome).getWelcome().getResumed(), "ben's session is resumed on node-a");
        ServerFrame joined = benAgain.await(f -> f.hasJoined() || f.hasError());
        assertTrue(joined.hasJoined(), "his seat comes back: " + joined);
        assertEquals(benSeat, joined.getJoined().getSeat());
    }

    @Test
    void whileRedisIsDownJoinsAreAnsweredWithAnErrorAtOnceAndTheNodeSaysItIsNotReady() throws Exception {
        Node a = node("node-a");
        assertEquals(200, readyz(a));
        redis.kill();
        Eventually.holds(() -> readyz(a) == 503, "/readyz says not ready while Redis is down", Duration.ofSeconds(5));

        TestClient cal = player(a, "cal");
        long askedAt = System.nanoTime();
        cal.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setGameType("orb-rush")).build());
        ServerFrame answer = cal.await(f -> f.hasError() || f.hasJoined(), Duration.ofSeconds(5));
        long tookMs = (System.nanoTime() - askedAt) / 1_000_000;
        assertTrue(answer.hasError() && answer.getError().getCode() == ErrorCode.INTERNAL, "an error, not a seat: " + answer);
        assertTrue(tookMs < 2_500, "answered in " + tookMs + " ms, not after a long command timeout");

        redis.restart();
        Eventually.holds(() -> readyz(a) == 200, "ready again once Redis is back", Duration.ofSeconds(5));
        assertFalse(cal.quickJoin("orb-rush").getRoomId().isEmpty(), "joins work again");
    }

    /**
     * SIGTERM's drain says so at once: /readyz answers 503 while the node hands its rooms over
     * (slowed here by a Redis that does not answer, so the drain lasts long enough to be seen),
     * so a load balancer stops sending it players before its sockets close.
     */
    /**
     * Ann's socket drops while Redis is down and she resumes on the same node: her session gets a
     * new resume token, whose record cannot be written. Redis comes back with its data (it kept
     * everything else, so nothing says a node's records were lost): her record must still be
     * written once it can be, or her next resume, on another node, is refused.
     */
    @Test
    void aSessionResumedWhileRedisWasDownCanBeResumedOnAnotherNodeOnceRedisIsBackWithItsData() throws Exception {
        Node a = node("node-a");
        node("node-b");
        TestClient ann = TestClient.connect(a.port());
        clients.add(ann);
        String firstToken = ann.hello("ann").getResumeToken();
        String room = ann.quickJoin("orb-rush").getRoomId();

        redis.command("SAVE"); // what Redis comes back with: everything up to here
        redis.kill();
        ann.close();
        TestClient again = TestClient.connect(a.port());
        clients.add(again);
        again.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1)
                .setPlayerName("ann").setResumeToken(firstToken)).build());
        Welcome resumed = again.await(ServerFrame::hasWelcome).getWelcome();
        assertTrue(resumed.getResumed(), "resumed on her own node while Redis is down");
        Thread.sleep(300);
        redis.restart();
        again.await(f -> f.hasJoined() && f.getJoined().getRoomId().equals(room), Duration.ofSeconds(10)); // her seat is back
        Thread.sleep(200); // written again as soon as the node reached Redis again, not a retry later

        again.close();
        TestClient onB = TestClient.connect(nodes.get(1).port());
        clients.add(onB);
        onB.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1)
                .setPlayerName("ann").setResumeToken(resumed.getResumeToken())).build());
        assertTrue(onB.await(ServerFrame::hasWelcome).getWelcome().getResumed(), "ann's session is resumed on node-b");
        ServerFrame first = onB.await(f -> f.hasJoined() || f.hasLeft(), Duration.ofSeconds(8));
        assertTrue(first.hasJoined() && first.getJoined().getRoomId().equals(room), "with her seat: " + first);
    }

    /**
     * An owner inside its lease window keeps ticking while Redis is down, and every publish of
     * those ticks fails at once: none may be kept and sent when the connection comes back (Lettuce
     * would, by default: it queues commands while disconnected and writes them on reconnect),
     * where a node that resubscribed sooner would deliver them as current — states seconds old.
     * A subscriber on the member node's inbox from the moment Redis is back sees only fresh ones.
     */
    @Test
    void statesAnOwnerCouldNotPublishWhileRedisWasDownAreNotSentLateWhenItComesBack() throws Exception {
        Node a = node("node-a");
        Node b = node("node-b");
        TestClient ann = player(a, "ann");
        TestClient ben = player(b, "ben");
        String room = ann.quickJoin("orb-rush").getRoomId();
        ben.join(room);
        ben.await(ServerFrame::hasState); // the owner sends the room's states to node-b's inbox

        redis.kill();
        Thread.sleep(LEASE_MS / 3); // inside the owner's lease window: it ticks, and tries to publish each tick
        long restartedAtMs = System.currentTimeMillis();
        redis.restart();
        List<State> published = new ArrayList<>();
        try (Resp subscriber = new Resp(redis.host(), redis.port(), Duration.ofSeconds(1))) {
            // Before the owner's reconnect (100 ms at the soonest): the room's channel and node-b's inbox.
            subscriber.send("SUBSCRIBE", RedisKeys.roomChannel(room), RedisKeys.nodeInbox("node-b"));
            long until = System.nanoTime() + 2_500_000_000L;
            while (System.nanoTime() < until) {
                List<byte[]> push;
                try {
                    push = subscriber.readPush();
                } catch (SocketTimeoutException quiet) {
                    continue;
                }
                if (push.size() == 3 && "message".equals(new String(push.get(0), StandardCharsets.UTF_8))) {
                    String channel = new String(push.get(1), StandardCharsets.UTF_8);
                    List<RoomFrame> frames = channel.equals(RedisKeys.roomChannel(room)) ? List.of(RoomFrame.parseFrom(push.get(2)))
                            : NodeMessage.parseFrom(push.get(2)).getRoomFrames().getFramesList();
                    for (RoomFrame roomFrame : frames) {
                        ServerFrame frame = ServerFrame.parseFrom(roomFrame.getFrame());
                        if (frame.hasState()) {
                            published.add(frame.getState());
                        }
                    }
                }
            }
        }
        assertFalse(published.isEmpty(), "the owner publishes its room's states again");
        List<Long> stale = published.stream().map(State::getServerTimeMs).filter(t -> t < restartedAtMs).toList();
        assertTrue(stale.isEmpty(), "states of ticks before Redis came back (at " + restartedAtMs + ") were published late: "
                + stale.size() + " of " + published.size() + ", e.g. " + stale.subList(0, Math.min(3, stale.size())));
    }

    /**
     * Redis stalls (here: stopped with SIGSTOP) for longer than a lease: the owner's renewals pile
     * up on the open connection and Redis runs them all when it wakes. The first finds the lease
     * expired and claims it again for the owner — its answer may come after the command timeout,
     * or not before the next renewal is sent. The next ones must take that lease for the owner's
     * own, not for another node's: the owner keeps its room, with nothing rolled back.
     */
    @Test
    void aRedisThatStallsLongerThanALeaseLeavesTheRoomWithItsOwnerAndNothingRolledBack() throws Exception {
        Node a = node("node-a");
        TestClient ann = player(a, "ann");
        String room = ann.quickJoin("orb-rush").getRoomId();
        long tickBefore = ann.await(ServerFrame::hasState).getState().getTick();

        redis.freeze();
        try {
            Thread.sleep(LEASE_MS + 1000); // the lease expires in Redis's clock; renewals wait on the socket
        } finally {
            redis.thaw();
        }
        ann.drain();

        Eventually.holds(() -> {
            String lease = (String) redis.command("GET", RedisKeys.lease(room));
            return lease != null && lease.startsWith("node-a:");
        }, "the owner holds its room again", Duration.ofSeconds(5));
        Thread.sleep(2L * LEASE_MS); // long enough for a fenced room to be taken over from its snapshot
        assertEquals(0L, a.metrics().roomsFenced.sum(), "the owner was not fenced by its own lease");
        assertEquals(0L, a.metrics().roomsTakenOver.sum(), "the room was not taken over from its snapshot");
        assertTrue(a.ownedRooms().contains(room), "node-a still runs the room");
        List<Long> ticks = ann.collect(Duration.ofMillis(500)).stream().filter(ServerFrame::hasState)
                .map(f -> f.getState().getTick()).toList();
        assertFalse(ticks.isEmpty(), "ann's states keep coming");
        for (int i = 1; i < ticks.size(); i++) {
            assertEquals(ticks.get(i - 1) + 1, ticks.get(i), "ticks go on one by one, none rolled back: " + ticks);
        }
        assertTrue(ticks.get(0) > tickBefore + 40, "the room went on from where it was: " + tickBefore + " -> " + ticks);
    }

    @Test
    void aDrainingNodeSaysItIsNotReadyWhileItHandsItsRoomsOver() throws Exception {
        Node a = node("node-a");
        TestClient ann = player(a, "ann");
        ann.quickJoin("orb-rush");
        redis.freeze(); // commands wait: the room's last snapshot cannot be saved until the command timeout
        Thread drain = new Thread(a::stop, "drain");
        try {
            assertEquals(200, readyz(a), "ready before the drain (a frozen Redis's sockets are still open)");
            drain.start();
            Eventually.holds(() -> readyz(a) == 503, "/readyz says not ready during the drain", Duration.ofSeconds(2));
            assertTrue(drain.isAlive(), "seen while the drain was still under way");
        } finally {
            redis.thaw();
            drain.join(10_000);
        }
    }

    private static int readyz(Node node) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

}
