package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.SetArgs;
import io.roomcast.gateway.cluster.SnapshotStore;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Room snapshots as Redis strings on the room's shard, kept {@link RedisKeys#keepMillis} past the
 * last save or lease renewal. Thread-safe.
 */
public final class RedisSnapshotStore implements SnapshotStore {

    private final RedisConnections redis;
    private final long keepMillis;

    public RedisSnapshotStore(RedisConnections redis, long leaseMillis) {
        this.redis = redis;
        this.keepMillis = RedisKeys.keepMillis(leaseMillis);
    }

    @Override
    public CompletionStage<Void> save(String roomId, byte[] snapshot) {
        return redis.commands().set(RedisKeys.snapshot(roomId), snapshot, SetArgs.Builder.px(keepMillis)).thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Optional<byte[]>> load(String roomId) {
        return redis.commands().get(RedisKeys.snapshot(roomId)).thenApply(Optional::ofNullable);
    }

    @Override
    public CompletionStage<Void> delete(String roomId) {
        return redis.commands().del(RedisKeys.snapshot(roomId)).thenApply(n -> null);
    }
}
