package io.roomcast.gateway.ws;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.ServerFrame;
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
 * A room frame reaches its members through a {@link SendBurst}: one hand-off per I/O thread, the
 * per-member send (the queue's bound, the counters) run by the I/O thread that owns the socket.
 * On real sockets spread over several I/O threads, every member gets every event of the room
 * once, in the room's order, and every frame is counted as it was when the room's thread did it.
 * (The bound itself: {@code SocketLayerTest}'s slow consumers, whose frames take the same path.)
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
