package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubListener;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.roomcast.gateway.NodeMetrics;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * The node's connections to Redis — standalone or Redis Cluster, the rest of the code does not
 * know which: one connection for commands (keys are strings, values bytes), one for publishing
 * and one for pub/sub.
 *
 * <p>Publishes are written in bursts: rooms tick together (a few phases of the period), so a
 * phase's publishes of every room arrive at once. The publishing connection does not flush per command; the first
 * publish of a burst asks the flusher thread for one flush, which writes every publish buffered
 * by then in one go — one socket write and one wake-up of Lettuce's event loop per burst instead
 * of one per room (profiled: that was half of Lettuce's share of a node in W2). Order per room
 * is kept: commands leave in the order they were issued.
 * On a cluster, channels are sharded (SPUBLISH / SSUBSCRIBE, Redis 7+), so a room's messages
 * stay on its shard.
 *
 * <p>While Redis is unreachable (see "Redis faults" in docs/architecture.md): commands and
 * publishes fail at once instead of waiting in a queue ({@code REJECT_COMMANDS}) — a join is
 * answered with an error, a state that cannot go out is dropped (latest-wins), and nothing stale
 * is replayed when Redis is back; commands that reach a live Redis time out after
 * {@link #COMMAND_TIMEOUT}. On a Redis Cluster commands wait for a shard's connection up to that
 * timeout instead (its connections open lazily), and are cancelled, not sent, after it. The pub/sub connection keeps its subscriptions and is resubscribed
 * by Lettuce on reconnect. Reconnects are tried with full jitter between {@link #RECONNECT_MIN}
 * and {@link #RECONNECT_MAX}. Thread-safe.
 */
public final class RedisConnections implements AutoCloseable {

    /** A command to a reachable Redis fails after this. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Reconnect attempts wait a random time up to an exponential bound from this ... */
    public static final Duration RECONNECT_MIN = Duration.ofMillis(100);
    /** ... capped at this: a Redis back after an outage is reconnected to within about this much. */
    public static final Duration RECONNECT_MAX = Duration.ofSeconds(1);
    /** Commands or publishes waiting for one connection's socket, at most. */
    private static final int REQUEST_QUEUE = 100_000;
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final ClientResources resources;
    private final List<AbstractRedisClient> clients = new ArrayList<>();
    private final boolean cluster;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final StatefulConnection<String, byte[]> commandConnection;
    private final StatefulConnection<String, byte[]> publisher;
    private final RedisClusterAsyncCommands<String, byte[]> publishCommands;
    private final AtomicBoolean flushRequested = new AtomicBoolean();
    private final ExecutorService flusher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "redis-publish-flusher");
        t.setDaemon(true);
        return t;
    });
    private final StatefulConnection<String, byte[]> pubSubConnection;
    private final StatefulRedisPubSubConnection<String, byte[]> pubSub;
    private volatile long subscribedSinceNanos = System.nanoTime();
    private final List<Runnable> onReconnect = new CopyOnWriteArrayList<>();

    /**
     * @param onMessage called with (channel, message) for every message on a subscribed channel,
     *                  on Lettuce's I/O thread; must not block
     */
    public RedisConnections(String url, boolean cluster, BiConsumer<String, byte[]> onMessage) {
        this(url, cluster, RedisSecurity.NONE, onMessage, new NodeMetrics());
    }

    /**
     * As above, with credentials and TLS trust ({@link RedisSecurity}), every command's latency and
     * every reconnect counted in {@code metrics}.
     */
    public RedisConnections(String url, boolean cluster, RedisSecurity security, BiConsumer<String, byte[]> onMessage,
                            NodeMetrics metrics) {
        this.cluster = cluster;
        RedisURI uri = RedisURI.create(url);
        security.apply(uri);
        SslOptions ssl = security.sslOptions();
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.fullJitter(RECONNECT_MIN, RECONNECT_MAX, 2, TimeUnit.MILLISECONDS))
                .commandLatencyRecorder(new RedisCommandLatency(metrics))
                .build();
        ClientOptions failFast = withSsl(ClientOptions.builder(), ssl)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build();
        ClientOptions keepSubscriptions = withSsl(ClientOptions.builder(), ssl).requestQueueSize(REQUEST_QUEUE).build();
        // Lettuce's connection events: a connection (a handler, kept while it lives) that comes up a
        // second time was reconnected. Rare: a synchronized weak set is fine.
        Set<RedisChannelHandler<?, ?>> connectedBefore = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
        RedisConnectionStateListener reconnects = new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection != null && !connectedBefore.add(connection)) {
                    metrics.redisReconnects.increment();
                    onReconnect.forEach(Runnable::run);
                }
            }
        };
        RedisConnectionStateListener resubscribed = new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                subscribedSinceNanos = System.nanoTime(); // what was published meanwhile never reached us
            }
        };
        if (cluster) {
            // A Redis Cluster connection opens its connections to the shards lazily, so rejecting
            // commands while "disconnected" would reject the first command to every shard: there
            // commands wait for a (re)connect instead, up to the command timeout, and a publish that
            // timed out is cancelled, never sent late.
            ClientOptions waitForShards = withSsl(ClientOptions.builder(), ssl).requestQueueSize(REQUEST_QUEUE)
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT)).build();
            RedisClusterClient commandClient = cluster(uri, ClusterClientOptions.builder(waitForShards).build());
            RedisClusterClient pubSubClient = cluster(uri, ClusterClientOptions.builder(keepSubscriptions).build());
            pubSubClient.addListener(resubscribed);
            commandClient.addListener(reconnects);
            pubSubClient.addListener(reconnects);
            StatefulRedisClusterConnection<String, byte[]> commanding = commandClient.connect(CODEC);
            this.commandConnection = commanding;
            this.commands = commanding.async();
            StatefulRedisClusterConnection<String, byte[]> publishing = commandClient.connect(CODEC);
            this.publisher = publishing;
            this.publishCommands = publishing.async();
            StatefulRedisClusterPubSubConnection<String, byte[]> connection = pubSubClient.connectPubSub(CODEC);
            connection.addListener(new RedisClusterPubSubListener<>() {
                @Override
                public void smessage(RedisClusterNode node, String channel, byte[] message) {
                    onMessage.accept(channel, message);
                }

                @Override
                public void message(RedisClusterNode node, String channel, byte[] message) {
                    onMessage.accept(channel, message);
                }

                @Override
                public void message(RedisClusterNode node, String pattern, String channel, byte[] message) {}

                @Override
                public void subscribed(RedisClusterNode node, String channel, long count) {}

                @Override
                public void psubscribed(RedisClusterNode node, String pattern, long count) {}

                @Override
                public void unsubscribed(RedisClusterNode node, String channel, long count) {}

                @Override
                public void punsubscribed(RedisClusterNode node, String pattern, long count) {}
            });
            this.pubSubConnection = connection;
            this.pubSub = connection;
        } else {
            RedisClient commandClient = standalone(uri, failFast);
            RedisClient pubSubClient = standalone(uri, keepSubscriptions);
            pubSubClient.addListener(resubscribed);
            commandClient.addListener(reconnects);
            pubSubClient.addListener(reconnects);
            StatefulRedisConnection<String, byte[]> commanding = commandClient.connect(CODEC);
            this.commandConnection = commanding;
            this.commands = commanding.async();
            StatefulRedisConnection<String, byte[]> publishing = commandClient.connect(CODEC);
            this.publisher = publishing;
            this.publishCommands = publishing.async();
            this.pubSub = pubSubClient.connectPubSub(CODEC);
            this.pubSubConnection = pubSub;
            this.pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    onMessage.accept(channel, message);
                }
            });
        }
        publisher.setAutoFlushCommands(false);
    }

    private static ClientOptions.Builder withSsl(ClientOptions.Builder builder, SslOptions ssl) {
        return ssl == null ? builder : builder.sslOptions(ssl);
    }

    private RedisClient standalone(RedisURI uri, ClientOptions options) {
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(options);
        clients.add(client);
        return client;
    }

    private RedisClusterClient cluster(RedisURI uri, ClusterClientOptions options) {
        RedisClusterClient client = RedisClusterClient.create(resources, uri);
        client.setOptions(options);
        clients.add(client);
        return client;
    }

    /** Whether commands and pub/sub both reach Redis now (the node's readiness in a cluster). */
    public boolean isConnected() {
        return commandConnection.isOpen() && pubSubConnection.isOpen();
    }

    /** Runs {@code action} (on Lettuce's thread; it must not block) each time a connection to Redis comes back. */
    public void onReconnect(Runnable action) {
        onReconnect.add(action);
    }

    /**
     * Since when (System.nanoTime) the pub/sub connection has been up without a break: a room's
     * silence before that says nothing about its owner. Now, while it is down: what a node cannot
     * hear says nothing either.
     */
    public long subscribedSinceNanos() {
        return pubSubConnection.isOpen() ? subscribedSinceNanos : System.nanoTime();
    }

    public RedisClusterAsyncCommands<String, byte[]> commands() {
        return commands;
    }

    /** Publishes; written with the rest of its burst (see the class comment). Any thread. */
    public CompletionStage<Long> publish(String channel, byte[] message) {
        CompletionStage<Long> sent = cluster ? publishCommands.spublish(channel, message)
                : publishCommands.publish(channel, message);
        requestFlush();
        return sent;
    }

    private void requestFlush() {
        if (flushRequested.compareAndSet(false, true)) {
            try {
                flusher.execute(() -> {
                    flushRequested.set(false); // publishes from now on ask for the next flush
                    publisher.flushCommands();
                });
            } catch (RejectedExecutionException closed) {
                // The node is stopping: the connection closes with what is buffered.
            }
        }
    }

    /** XADD on the publishing connection: written with the burst it belongs to, in order with the room's frames. */
    public void append(String stream, XAddArgs args, java.util.Map<String, byte[]> fields) {
        publishCommands.xadd(stream, args, fields);
        requestFlush();
    }

    public CompletionStage<Void> subscribe(String channel) {
        return cluster ? pubSub.async().ssubscribe(channel) : pubSub.async().subscribe(channel);
    }

    public CompletionStage<Void> unsubscribe(String channel) {
        return cluster ? pubSub.async().sunsubscribe(channel) : pubSub.async().unsubscribe(channel);
    }

    @Override
    public void close() throws Exception {
        flusher.shutdown();
        publisher.flushCommands(); // what a last burst left buffered
        publisher.close();
        pubSub.close();
        commandConnection.close();
        for (AbstractRedisClient client : clients) {
            client.shutdown();
        }
        resources.shutdown();
    }
}
