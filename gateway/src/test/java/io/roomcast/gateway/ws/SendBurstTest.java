package io.roomcast.gateway.ws;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Leave;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A room frame reaches its members through a {@link SendBurst}: one hand-off per I/O thread (its
 * {@link Recipients} group), the per-member send (who is skipped, the queue's bound, the counters)
 * run by the I/O thread that owns the socket. On real sockets spread over several I/O threads,
 * every member gets every event of the room once, in the room's order, and every frame is counted
 * as it was when the room's thread did it; the groups follow the members as they come, go and
 * move to a new socket. (The bound itself: {@code SocketLayerTest}'s slow consumers, whose frames
 * take the same path.)
 */
class SendBurstTest {

    private static final int MEMBERS = 24;
    private static final int EVENTS = 300;

    private Node node;
    private final List<TestClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(TestClient::close);
        if (node != null) {
            node.stop();
        }
    }

    @Test
    void everyMemberOnEveryIoThreadGetsEveryEventOnceInTheRoomsOrder() throws Exception {
        node = TestNodes.start(config -> {
            config.ioThreads = 3;             // members on several I/O threads, whatever the machine's cores
            config.maxEmitsPerSecond = 10_000;
            config.maxHandshakesPerIpPerSecond = 1_000; // every client comes from 127.0.0.1
        });
        TestClient emitter = connect("emitter");
        String room = emitter.quickJoin("bench-broadcast").getRoomId();
        List<TestClient> members = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            TestClient member = connect("member-" + i);
            member.join(room);
            members.add(member);
        }
        long eventsOutBefore = node.metrics().framesOut.get("event");

        // Emitted back to back, without waiting: many frames of the room are on their way at once.
        for (int i = 0; i < EVENTS; i++) {
            emitter.emit(Emit.newBuilder().setRoomId(room).setName("n")
                    .setPayload(ByteString.copyFrom(ByteBuffer.allocate(4).putInt(0, i))).build());
        }
        assertTrue(emitter.emitAcked(room, "last", ByteString.EMPTY).getOk());

        for (TestClient member : members) {
            member.await(f -> f.hasEvent() && f.getEvent().getName().equals("last"));
            List<Event> events = member.received().stream().filter(ServerFrame::hasEvent).map(ServerFrame::getEvent)
                    .filter(e -> e.getName().equals("n")).toList();
            assertEquals(EVENTS, events.size(), "every event, once");
            for (int i = 0; i < EVENTS; i++) {
                assertEquals(i, events.get(i).getPayload().asReadOnlyByteBuffer().getInt(), "event " + i + " in the room's order");
                if (i > 0) {
                    assertEquals(events.get(i - 1).getOffset() + 1, events.get(i).getOffset(), "offsets without a gap");
                }
            }
        }
        // Each member's copy was admitted and counted on its I/O thread (the emitter hears none of its own).
        assertEquals((long) MEMBERS * (EVENTS + 1), node.metrics().framesOut.get("event") - eventsOutBefore);
    }

    @Test
    void theGroupsFollowMembersWhoLeaveJoinAndMoveToANewSocket() throws Exception {
        node = TestNodes.start(config -> {
            config.ioThreads = 3;
            config.maxHandshakesPerIpPerSecond = 1_000;
        });
        TestClient emitter = connect("emitter");
        String room = emitter.quickJoin("bench-broadcast").getRoomId();
        List<TestClient> members = new ArrayList<>();
        List<Welcome> welcomes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestClient member = TestClient.connect(node.port());
            clients.add(member);
            welcomes.add(member.hello("member-" + i));
            member.join(room);
            members.add(member);
        }
        emitAndAwait(emitter, room, "one", members);

        // One change at a time, each followed by an event: member-0 leaves, ...
        TestClient leaver = members.get(0);
        leaver.send(ClientFrame.newBuilder().setLeave(Leave.newBuilder().setRoomId(room)).build());
        leaver.await(ServerFrame::hasLeft);
        List<TestClient> stayed = new ArrayList<>(members.subList(1, 6));
        emitAndAwait(emitter, room, "two", stayed);
        // ... a latecomer joins, ...
        TestClient latecomer = connect("latecomer");
        latecomer.join(room);
        stayed.add(latecomer);
        emitAndAwait(emitter, room, "three", stayed);
        // ... and member-1 moves to a new socket while its old one is still open.
        TestClient oldSocket = members.get(1);
        TestClient newSocket = TestClient.connect(node.port());
        clients.add(newSocket);
        newSocket.send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1)
                .setPlayerName("member-1").setResumeToken(welcomes.get(1).getResumeToken())).build());
        assertTrue(newSocket.await(ServerFrame::hasWelcome).getWelcome().getResumed());
        newSocket.await(ServerFrame::hasJoined);
        stayed.remove(oldSocket);
        stayed.add(newSocket);
        emitAndAwait(emitter, room, "four", stayed);

        for (TestClient member : stayed) {
            assertEquals(1, eventsNamed(member, "four"), "each member once");
        }
        assertEquals(0, eventsNamed(leaver, "two") + eventsNamed(leaver, "three") + eventsNamed(leaver, "four"),
                "nothing after the Left");
        assertEquals(0, eventsNamed(latecomer, "one") + eventsNamed(latecomer, "two"),
                "the latecomer hears nothing from before its Joined");
        assertEquals(0, eventsNamed(oldSocket, "four"), "nothing on the socket the player moved away from");
        assertEquals(0, eventsNamed(emitter, "four"), "the sender hears none of its own");
    }

    private static void emitAndAwait(TestClient emitter, String room, String name, List<TestClient> members) throws Exception {
        assertTrue(emitter.emitAcked(room, name, ByteString.EMPTY).getOk());
        for (TestClient member : members) {
            member.await(f -> f.hasEvent() && f.getEvent().getName().equals(name));
        }
    }

    private static long eventsNamed(TestClient client, String name) {
        return client.received().stream().filter(f -> f.hasEvent() && f.getEvent().getName().equals(name)).count();
    }

    @Test
    void aThreadHasOneBurstAtATime() {
        try (SendBurst burst = SendBurst.open()) {
            assertSame(burst, SendBurst.active(), "this thread's sends go through it");
            assertThrows(IllegalStateException.class, SendBurst::open,
                    "a nested burst would hand off at the outer close, after the caller's lock is released");
        }
        assertNull(SendBurst.active(), "closed: sends go straight to the outbox again");
        try (SendBurst ignored = SendBurst.open()) { // and the thread may open the next one
            assertSame(ignored, SendBurst.active());
        }
    }

    private TestClient connect(String name) throws Exception {
        TestClient client = TestClient.connect(node.port());
        clients.add(client);
        client.hello(name);
        return client;
    }
}
