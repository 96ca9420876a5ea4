package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.RedisURI;
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

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * The node's connections to Redis — standalone or Redis Cluster, the rest of the code does not
 * know which: one connection for commands (keys are strings, values bytes), one for publishing
 * and one for pub/sub.
 *
 * <p>Publishes are written in bursts: rooms tick together (one grid), so a tick's publishes of
 * every room arrive at once. The publishing connection does not flush per command; the first
 * publish of a burst asks the flusher thread for one flush, which writes every publish buffered
 * by then in one go — one socket write and one wake-up of Lettuce's event loop per burst instead
 * of one per room (profiled: that was half of Lettuce's share of a node in W2). Order per room
 * is kept: commands leave in the order they were issued.
 * On a cluster, channels are sharded (SPUBLISH / SSUBSCRIBE, Redis 7+), so a room's messages
 * stay on its shard. Lettuce reconnects and resubscribes by itself after Redis restarts.
 * Thread-safe.
 */
public final class RedisConnections implements AutoCloseable {

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final AutoCloseable client;
    private final boolean cluster;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final StatefulConnection<String, byte[]> publisher;
    private final RedisClusterAsyncCommands<String, byte[]> publishCommands;
    private final AtomicBoolean flushRequested = new AtomicBoolean();
    private final ExecutorService flusher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "redis-publish-flusher");
        t.setDaemon(true);
        return t;
    });
    private final StatefulRedisPubSubConnection<String, byte[]> pubSub;

    /**
     * @param onMessage called with (channel, message) for every message on a subscribed channel,
     *                  on Lettuce's I/O thread; must not block
     */
    public RedisConnections(String url, boolean cluster, BiConsumer<String, byte[]> onMessage) {
        this(url, cluster, RedisSecurity.NONE, onMessage);
    }

    /** As above, with credentials and TLS trust ({@link RedisSecurity}). */
    public RedisConnections(String url, boolean cluster, RedisSecurity security, BiConsumer<String, byte[]> onMessage) {
        this.cluster = cluster;
        RedisURI uri = RedisURI.create(url);
        security.apply(uri);
        SslOptions ssl = security.sslOptions();
        if (cluster) {
            RedisClusterClient clusterClient = RedisClusterClient.create(uri);
            if (ssl != null) {
                clusterClient.setOptions(ClusterClientOptions.builder().sslOptions(ssl).build());
            }
            this.client = clusterClient::shutdown;
            this.commands = clusterClient.connect(CODEC).async();
            StatefulRedisClusterConnection<String, byte[]> publishing = clusterClient.connect(CODEC);
            this.publisher = publishing;
            this.publishCommands = publishing.async();
            StatefulRedisClusterPubSubConnection<String, byte[]> connection = clusterClient.connectPubSub(CODEC);
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
            this.pubSub = connection;
        } else {
            RedisClient standalone = RedisClient.create(uri);
            if (ssl != null) {
                standalone.setOptions(ClientOptions.builder().sslOptions(ssl).build());
            }
            this.client = standalone::shutdown;
            this.commands = standalone.connect(CODEC).async();
            StatefulRedisConnection<String, byte[]> publishing = standalone.connect(CODEC);
            this.publisher = publishing;
            this.publishCommands = publishing.async();
            this.pubSub = standalone.connectPubSub(CODEC);
            this.pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    onMessage.accept(channel, message);
                }
            });
        }
        publisher.setAutoFlushCommands(false);
    }

    public RedisClusterAsyncCommands<String, byte[]> commands() {
        return commands;
    }

    /** Publishes; written with the rest of its burst (see the class comment). Any thread. */
    public CompletionStage<Long> publish(String channel, byte[] message) {
        CompletionStage<Long> sent = cluster ? publishCommands.spublish(channel, message)
                : publishCommands.publish(channel, message);
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
        return sent;
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
        client.close();
    }
}
