package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.roomcast.gateway.cluster.EventStore;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A room's recent events as a Redis Stream on the room's shard ({@link RedisKeys#events}), capped
 * at about {@code capacity} entries ({@code XADD MAXLEN ~}), written on the publishing connection
 * with the room's frames (so in their order), extended by the owner's lease renewals and deleted
 * with the room. Thread-safe; never blocks.
 */
public final class RedisEventStore implements EventStore {

    private static final String FRAME = "f";

    private final RedisConnections redis;
    private final long capacity;

    public RedisEventStore(RedisConnections redis, long capacity) {
        this.redis = redis;
        this.capacity = capacity;
    }

    @Override
    public void append(String roomId, byte[] event) {
        redis.append(RedisKeys.events(roomId), XAddArgs.Builder.maxlen(capacity).approximateTrimming(), Map.of(FRAME, event));
    }

    @Override
    public CompletionStage<List<byte[]>> recent(String roomId) {
        return redis.commands().xrange(RedisKeys.events(roomId), io.lettuce.core.Range.create("-", "+"))
                .thenApply(entries -> entries.stream().map(StreamMessage::getBody).map(body -> body.get(FRAME))
                        .filter(java.util.Objects::nonNull).toList());
    }

    @Override
    public CompletionStage<Void> delete(String roomId) {
        return redis.commands().del(RedisKeys.events(roomId)).thenApply(n -> null);
    }
}
