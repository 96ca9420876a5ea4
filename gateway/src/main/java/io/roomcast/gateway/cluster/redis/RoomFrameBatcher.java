package io.roomcast.gateway.cluster.redis;

import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.RoomFrame;
import io.roomcast.proto.cluster.RoomFrames;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * An owner's room frames bound for other nodes, gathered per destination node over a short
 * window and published as ONE message on that node's inbox: rooms tick together (on a few phases
 * of the period, {@code TickGrid}), so a phase's frames of all the rooms a node owns leave as one
 * publish per node with members in them instead of one per room. Lettuce's cost per message (encode, the reply, the receiver's decode) was the
 * largest item of a node's CPU after the kernel's (docs/benchmarks.md).
 *
 * <p>Order: every other publish of the node goes through {@link #inOrder}, which first publishes
 * what is gathered, under the same lock. So what a node publishes leaves in the order it was
 * made — a room's {@code released} after its last states, a reply after the frames before it —
 * and Redis, which pushes messages to a subscriber in the order it ran the publishes, delivers
 * them so.
 *
 * <p>Thread-safe; the window's end runs on a thread of its own.
 */
final class RoomFrameBatcher implements AutoCloseable {

    private final BiConsumer<String, byte[]> publish; // (channel, message)
    private final long windowMicros;
    private final ScheduledExecutorService timer;
    private final Map<String, RoomFrames.Builder> pending = new LinkedHashMap<>(); // by node; guarded by this
    private final Runnable flush = this::flush;
    private boolean closed; // guarded by this: frames are published as they come

    /** @param publish sends one message on one channel (no blocking: it queues the command; a failure is its to count) */
    RoomFrameBatcher(BiConsumer<String, byte[]> publish, long windowMicros) {
        this.publish = publish;
        this.windowMicros = windowMicros;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "room-frame-batcher");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.timer = executor;
    }

    /** Adds the frame to the message for each of {@code nodes}; the first frame of a window starts it. */
    synchronized void add(RoomFrame frame, Set<String> nodes) {
        boolean opening = pending.isEmpty();
        for (String node : nodes) {
            pending.computeIfAbsent(node, n -> RoomFrames.newBuilder()).addFrames(frame);
        }
        if (closed) {
            publishGathered();
        } else if (opening && !pending.isEmpty()) {
            timer.schedule(flush, windowMicros, TimeUnit.MICROSECONDS);
        }
    }

    /** Runs {@code publishing} after what is gathered has been published, in the same turn. */
    synchronized void inOrder(Runnable publishing) {
        publishGathered();
        publishing.run();
    }

    private synchronized void flush() {
        publishGathered();
    }

    private void publishGathered() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            for (Map.Entry<String, RoomFrames.Builder> batch : pending.entrySet()) {
                publish.accept(RedisKeys.nodeInbox(batch.getKey()),
                        NodeMessage.newBuilder().setRoomFrames(batch.getValue()).build().toByteArray());
            }
        } finally {
            pending.clear(); // whatever happened: the next frame opens a new window
        }
    }

    /** Publishes what is gathered; later frames are published at once. */
    @Override
    public synchronized void close() {
        closed = true;
        publishGathered();
        timer.shutdownNow();
    }
}
