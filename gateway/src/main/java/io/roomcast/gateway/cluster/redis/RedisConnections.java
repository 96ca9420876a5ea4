package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
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
import java.util.function.BiConsumer;

/**
 * The node's connections to Redis — standalone or Redis Cluster, the rest of the code does not
 * know which: one connection for commands (keys are strings, values bytes) and one for pub/sub.
 * On a cluster, channels are sharded (SPUBLISH / SSUBSCRIBE, Redis 7+), so a room's messages
 * stay on its shard. Lettuce reconnects and resubscribes by itself after Redis restarts.
 * Thread-safe.
 */
public final class RedisConnections implements AutoCloseable {

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final AutoCloseable client;
    private final boolean cluster;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final StatefulRedisPubSubConnection<String, byte[]> pubSub;

    /**
     * @param onMessage called with (channel, message) for every message on a subscribed channel,
     *                  on Lettuce's I/O thread; must not block
     */
    public RedisConnections(String url, boolean cluster, BiConsumer<String, byte[]> onMessage) {
        this.cluster = cluster;
        RedisURI uri = RedisURI.create(url);
        if (cluster) {
            RedisClusterClient clusterClient = RedisClusterClient.create(uri);
            this.client = clusterClient::shutdown;
            this.commands = clusterClient.connect(CODEC).async();
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
            this.client = standalone::shutdown;
            this.commands = standalone.connect(CODEC).async();
            this.pubSub = standalone.connectPubSub(CODEC);
            this.pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    onMessage.accept(channel, message);
                }
            });
        }
    }

    public RedisClusterAsyncCommands<String, byte[]> commands() {
        return commands;
    }

    public CompletionStage<Long> publish(String channel, byte[] message) {
        return cluster ? commands.spublish(channel, message) : commands.publish(channel, message);
    }

    public CompletionStage<Void> subscribe(String channel) {
        return cluster ? pubSub.async().ssubscribe(channel) : pubSub.async().subscribe(channel);
    }

    public CompletionStage<Void> unsubscribe(String channel) {
        return cluster ? pubSub.async().sunsubscribe(channel) : pubSub.async().unsubscribe(channel);
    }

    @Override
    public void close() throws Exception {
        pubSub.close();
        client.close();
    }
}
