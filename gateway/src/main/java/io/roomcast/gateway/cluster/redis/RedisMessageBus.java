package io.roomcast.gateway.cluster.redis;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.proto.cluster.NodeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The cluster bus on Redis pub/sub: one channel per room ({@link RedisKeys#roomChannel}), one
 * inbox per node. An owner's frames for its members on other nodes travel per node pair: the
 * frames of a tick burst bound for one node are ONE publish on its inbox ({@link RoomFrameBatcher}),
 * whatever the number of rooms and members; a room's channel carries what every listener must
 * hear whoever its owner knows of (a drained owner's {@code released}, a room {@code lost}).
 * Thread-safe; listeners run on Lettuce's pub/sub thread, in the order Redis ran the publishes.
 */
public final class RedisMessageBus implements MessageBus, AutoCloseable {

    /** How long an owner gathers frames for one node: a tick burst of every room it owns, on 2 cores. */
    private static final long FRAME_WINDOW_MICROS = 1_000;

    private static final Logger log = LoggerFactory.getLogger(RedisMessageBus.class);

    private final RedisConnections redis;
    private final ConcurrentHashMap<String, Consumer<byte[]>> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Consumer<RoomFrame>> rooms = new ConcurrentHashMap<>();
    private final RoomFrameBatcher batcher;
    private static final long FAILURE_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final LongAdder undecodable = new LongAdder();
    private final LongAdder publishFailures = new LongAdder();
    private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS - 1);

    private final NodeMetrics metrics;

    /** Connects to Redis (standalone, or a Redis Cluster with sharded channels). */
    public RedisMessageBus(String url, boolean cluster) {
        this(url, cluster, RedisSecurity.NONE, new NodeMetrics());
    }

    /** As above, with credentials and TLS trust; Redis latencies, reconnects and the pub/sub lag go to {@code metrics}. */
    public RedisMessageBus(String url, boolean cluster, RedisSecurity security, NodeMetrics metrics) {
        this.metrics = metrics;
        this.redis = new RedisConnections(url, cluster, security, this::onMessage, metrics);
        this.batcher = new RoomFrameBatcher(this::publishNow, FRAME_WINDOW_MICROS);
    }

    /** The command connection, shared with the directory and the ownership. */
    public RedisConnections connections() {
        return redis;
    }

    @Override
    public void publishRoom(RoomFrame message) {
        publish(RedisKeys.roomChannel(message.roomId()), toWire(message).toByteArray());
    }

    @Override
    public void publishToMembers(RoomFrame message, Set<String> memberNodes) {
        if (!memberNodes.isEmpty()) {
            batcher.add(toWire(message), memberNodes);
        }
    }

    private static io.roomcast.proto.cluster.RoomFrame toWire(RoomFrame message) {
        io.roomcast.proto.cluster.RoomFrame.Builder wire = io.roomcast.proto.cluster.RoomFrame.newBuilder()
                .setRoomId(message.roomId())
                .setOwnerNode(message.ownerNode())
                .setEpoch(message.epoch())
                .setTick(message.tick())
                .setLastEventOffset(message.lastEventOffset())
                .setLost(message.lost())
                .setReleased(message.released())
                .setFrame(UnsafeByteOperations.unsafeWrap(message.frame())) // never modified after encoding
                .setSentAtUs(WallClockMicros.now());
        if (message.exceptPlayer() != null) {
            wire.setExceptPlayer(message.exceptPlayer());
        }
        return wire.build();
    }

    /**
     * Frames of the room reach {@code listener} from its channel and from this node's inbox (an
     * owner's batch for this node); both only while subscribed.
     */
    @Override
    public Subscription subscribeRoom(String roomId, Consumer<RoomFrame> listener) {
        if (rooms.putIfAbsent(roomId, listener) != null) {
            throw new IllegalStateException("already subscribed to room " + roomId);
        }
        Subscription channel = subscribe(RedisKeys.roomChannel(roomId), bytes -> {
            try {
                deliver(io.roomcast.proto.cluster.RoomFrame.parseFrom(bytes), listener);
            } catch (InvalidProtocolBufferException e) {
                undecodable.increment();
            }
        });
        return new Subscription() {
            @Override
            public CompletionStage<Void> ready() {
                return channel.ready();
            }

            @Override
            public void unsubscribe() {
                rooms.remove(roomId, listener);
                channel.unsubscribe();
            }
        };
    }

    private void deliver(io.roomcast.proto.cluster.RoomFrame wire, Consumer<RoomFrame> listener) {
        if (wire.getSentAtUs() != 0) {
            metrics.pubSubLag((WallClockMicros.now() - wire.getSentAtUs()) * 1_000);
        }
        listener.accept(new RoomFrame(wire.getRoomId(), wire.getOwnerNode(), wire.getEpoch(), wire.getTick(),
                wire.getLastEventOffset(), wire.getFrame().toByteArray(), wire.getExceptPlayer().isEmpty() ? null : wire.getExceptPlayer(),
                wire.getLost(), wire.getReleased()));
    }

    /** An owner's batch for this node: each frame to its room's listener; a room with no members here any more drops it. */
    private void deliverBatch(io.roomcast.proto.cluster.RoomFrames batch) {
        for (io.roomcast.proto.cluster.RoomFrame wire : batch.getFramesList()) {
            Consumer<RoomFrame> listener = rooms.get(wire.getRoomId());
            if (listener != null) {
                deliver(wire, listener);
            }
        }
    }

    @Override
    public void publishNode(String nodeId, NodeMessage message) {
        publish(RedisKeys.nodeInbox(nodeId), message.toByteArray());
    }

    @Override
    public Subscription subscribeNode(String nodeId, Consumer<NodeMessage> listener) {
        return subscribe(RedisKeys.nodeInbox(nodeId), bytes -> {
            try {
                NodeMessage message = NodeMessage.parseFrom(bytes);
                if (message.hasRoomFrames()) {
                    deliverBatch(message.getRoomFrames());
                } else {
                    listener.accept(message);
                }
            } catch (InvalidProtocolBufferException e) {
                undecodable.increment();
            }
        });
    }

    @Override
    public long resubscribedAtNanos() {
        return redis.subscribedSinceNanos();
    }

    /** Messages on our channels that did not decode (another version's node, or garbage). */
    public long undecodable() {
        return undecodable.sum();
    }

    /** Publishes after the frames gathered so far: what this node publishes leaves in the order it was made. */
    private void publish(String channel, byte[] message) {
        batcher.inOrder(() -> publishNow(channel, message));
    }

    /** Never throws: a publish that fails, now or later, is counted and logged (it runs under the batcher's lock). */
    private void publishNow(String channel, byte[] message) {
        CompletionStage<Long> sent;
        try {
            sent = redis.publish(channel, message);
        } catch (RuntimeException e) {
            publishFailed(channel, e);
            return;
        }
        sent.whenComplete((receivers, failure) -> {
            if (failure != null) {
                publishFailed(channel, failure);
            }
        });
    }

    private void publishFailed(String channel, Throwable failure) {
        publishFailures.increment();
        long now = System.nanoTime();
        long last = lastFailureLog.get();
        if (now - last > FAILURE_LOG_INTERVAL_NANOS && lastFailureLog.compareAndSet(last, now)) {
            // While Redis is unreachable every publish fails at once: one line per interval, not per publish.
            log.warn("publishes failing ({} so far), e.g. to {}: {}", publishFailures.sum(), channel, failure.toString());
        }
    }

    /** Publishes that did not reach Redis (it was unreachable): states dropped, frames lost to other nodes. */
    public long publishFailures() {
        return publishFailures.sum();
    }

    private Subscription subscribe(String channel, Consumer<byte[]> listener) {
        if (channels.putIfAbsent(channel, listener) != null) {
            throw new IllegalStateException("already subscribed to " + channel);
        }
        CompletionStage<Void> subscribed = redis.subscribe(channel);
        return new Subscription() {
            @Override
            public CompletionStage<Void> ready() {
                return subscribed;
            }

            @Override
            public void unsubscribe() {
                if (channels.remove(channel, listener)) {
                    redis.unsubscribe(channel);
                }
            }
        };
    }

    /** Publishes the frames gathered, then closes the connections. */
    @Override
    public void close() throws Exception {
        batcher.close();
        redis.close();
    }

    private void onMessage(String channel, byte[] message) {
        Consumer<byte[]> listener = channels.get(channel);
        if (listener != null) {
            listener.accept(message);
        }
    }
}
