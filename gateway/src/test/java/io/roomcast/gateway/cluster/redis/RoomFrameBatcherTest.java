package io.roomcast.gateway.cluster.redis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.RoomFrame;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The owner's frames for other nodes: one message per node per window, in order with its other publishes. */
class RoomFrameBatcherTest {

    private static final long WINDOW_MICROS = 20_000;

    private record Published(String channel, byte[] message) {
        List<String> rooms() throws InvalidProtocolBufferException {
            return NodeMessage.parseFrom(message).getRoomFrames().getFramesList().stream().map(RoomFrame::getRoomId).toList();
        }
    }

    private final BlockingQueue<Published> published = new LinkedBlockingQueue<>();

    private static RoomFrame frame(String room) {
        return RoomFrame.newBuilder().setRoomId(room).setOwnerNode("owner").setEpoch(1).build();
    }

    private Published next() throws InterruptedException {
        Published message = published.poll(2, TimeUnit.SECONDS);
        assertNotNull(message, "a publish within the window");
        return message;
    }

    @Test
    void theFramesOfAWindowGoAsOneMessagePerNode() throws Exception {
        try (RoomFrameBatcher batcher = new RoomFrameBatcher((channel, message) -> published.add(new Published(channel, message)),
                WINDOW_MICROS)) {
            batcher.add(frame("a"), Set.of("node-1", "node-2"));
            batcher.add(frame("b"), Set.of("node-1"));

            Published first = next();
            Published second = next();
            Published toNode1 = first.channel().equals(RedisKeys.nodeInbox("node-1")) ? first : second;
            Published toNode2 = toNode1 == first ? second : first;
            assertEquals(List.of("a", "b"), toNode1.rooms(), "node-1 gets both rooms' frames, in order, in one message");
            assertEquals(RedisKeys.nodeInbox("node-2"), toNode2.channel());
            assertEquals(List.of("a"), toNode2.rooms());
            assertNull(published.poll(3 * WINDOW_MICROS, TimeUnit.MICROSECONDS), "nothing else");
        }
    }

    @Test
    void aPublishMadeAfterGatheredFramesLeavesAfterThem() throws Exception {
        try (RoomFrameBatcher batcher = new RoomFrameBatcher((channel, message) -> published.add(new Published(channel, message)),
                WINDOW_MICROS)) {
            batcher.add(frame("a"), Set.of("node-1"));
            batcher.inOrder(() -> published.add(new Published("room-channel", new byte[0])));

            assertEquals(RedisKeys.nodeInbox("node-1"), next().channel(), "the gathered frames first");
            assertEquals("room-channel", next().channel(), "then what was published after them");
        }
    }

    /** A publish that throws (a full command queue) loses its window's frames, not every later one. */
    @Test
    void aFailedPublishDoesNotStopTheNextWindows() throws Exception {
        AtomicBoolean failOnce = new AtomicBoolean(true);
        try (RoomFrameBatcher batcher = new RoomFrameBatcher((channel, message) -> {
            if (failOnce.getAndSet(false)) {
                throw new IllegalStateException("request queue full");
            }
            published.add(new Published(channel, message));
        }, WINDOW_MICROS)) {
            batcher.add(frame("lost"), Set.of("node-1"));
            Thread.sleep(3 * WINDOW_MICROS / 1000); // its window ends; the publish throws
            batcher.add(frame("next"), Set.of("node-1"));

            assertEquals(List.of("next"), next().rooms(), "the next window is published");
        }
    }

    /** Closing publishes what is gathered; a frame of a room still ticking while the node stops goes at once. */
    @Test
    void closingPublishesWhatIsGatheredAndLaterFramesAtOnce() throws Exception {
        RoomFrameBatcher batcher = new RoomFrameBatcher((channel, message) -> published.add(new Published(channel, message)),
                WINDOW_MICROS);
        batcher.add(frame("a"), Set.of("node-1"));
        batcher.close();
        assertEquals(List.of("a"), published.poll(0, TimeUnit.SECONDS).rooms(), "published by close, not by the window");

        batcher.add(frame("b"), Set.of("node-1"));
        assertEquals(List.of("b"), published.poll(0, TimeUnit.SECONDS).rooms(), "published as it came");
    }
}
