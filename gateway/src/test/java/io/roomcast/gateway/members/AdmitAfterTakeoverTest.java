package io.roomcast.gateway.members;

import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.cluster.local.LocalMessageBus;
import io.roomcast.gateway.session.FrameSink;
import io.roomcast.gateway.session.Session;
import io.roomcast.gateway.session.SessionRegistry;
import io.roomcast.gateway.cluster.SessionStore;
import io.roomcast.gateway.ws.wire.WireFrame;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A resume's Joined may come from a newer owner than the frames this node kept for the session
 * while the join was on its way: a room claimed from its snapshot goes on at a higher epoch and
 * may number its ticks below those the former owner had reached (its last snapshot, when the
 * claiming node had heard nothing of the room). Frames kept from the deposed owner must not
 * follow the Joined: the player would see the room go back to an owner that no longer holds it.
 */
class AdmitAfterTakeoverTest {

    private static final String ROOM = "r1";
    private static final long OLD_EPOCH = 1_000;
    private static final long NEW_EPOCH = 1_079;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void framesKeptFromADeposedOwnerDoNotFollowTheJoinedOfTheNewOne() throws Exception {
        LocalMessageBus bus = new LocalMessageBus();
        Members members = new Members("node-a", bus, new NodeMetrics());
        List<ServerFrame> received = new ArrayList<>();
        Session ben = new SessionRegistry(timer, System::nanoTime, 10, 100, 100, 1000, null, "node-a", SessionStore.NONE)
                .open("ben", sink(received), s -> {});

        // The resume goes to the owner node-b knew of; the room's frames are kept meanwhile.
        members.expect(ROOM, ben, "node-b").toCompletableFuture().get(2, TimeUnit.SECONDS);
        for (long tick = 30; tick <= 35; tick++) {
            bus.publishRoom(new MessageBus.RoomFrame(ROOM, "node-b", OLD_EPOCH, tick, state(OLD_EPOCH, tick), null));
        }
        // ... and node-c, which claimed the room from its snapshot at tick 20, answers it.
        members.admit(ROOM, ben, joined(NEW_EPOCH, 21), List.of());
        bus.publishRoom(new MessageBus.RoomFrame(ROOM, "node-c", NEW_EPOCH, 22, state(NEW_EPOCH, 22), null));
        bus.publishRoom(new MessageBus.RoomFrame(ROOM, "node-b", OLD_EPOCH, 36, state(OLD_EPOCH, 36), null));

        List<String> seen = received.stream().map(AdmitAfterTakeoverTest::describe).toList();
        assertEquals(List.of("joined epoch 1079 tick 21", "state epoch 1079 tick 22"), seen,
                "after its Joined, ben hears the new owner only");
    }

    private static String describe(ServerFrame frame) {
        return frame.hasJoined()
                ? "joined epoch " + frame.getJoined().getKeyframe().getEpoch() + " tick " + frame.getJoined().getKeyframe().getTick()
                : frame.getBodyCase().name().toLowerCase() + " epoch " + frame.getState().getEpoch() + " tick " + frame.getState().getTick();
    }

    private static byte[] state(long epoch, long tick) {
        return ServerFrame.newBuilder().setState(State.newBuilder().setRoomId(ROOM).setEpoch(epoch).setTick(tick)).build()
                .toByteArray();
    }

    private static byte[] joined(long epoch, long tick) {
        return ServerFrame.newBuilder().setJoined(Joined.newBuilder().setRoomId(ROOM).setKeyframe(
                State.newBuilder().setRoomId(ROOM).setEpoch(epoch).setTick(tick).setKeyframe(true))).build().toByteArray();
    }

    /** The payload of a server's (unmasked) WebSocket frame. */
    private static byte[] payloadOf(java.nio.ByteBuffer wire) {
        java.nio.ByteBuffer b = wire.duplicate();
        b.get();
        int length = b.get() & 0x7F;
        long size = length == 126 ? b.getShort() & 0xFFFF : length == 127 ? b.getLong() : length;
        byte[] payload = new byte[(int) size];
        b.get(payload);
        return payload;
    }

    private static FrameSink sink(List<ServerFrame> received) {
        return new FrameSink() {
            @Override
            public void send(byte[] serverFrame) {
                add(serverFrame);
            }

            @Override
            public void send(WireFrame frame) {
                add(payloadOf(frame.view(0, 0)));
            }

            @Override
            public void close(int code, String reason) {
            }

            private void add(byte[] bytes) {
                try {
                    synchronized (received) {
                        received.add(ServerFrame.parseFrom(bytes));
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        };
    }
}
