package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.SetArgs;
import io.roomcast.gateway.cluster.SnapshotStore;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Room snapshots as Redis strings on the room's shard, kept an hour past the last save. Thread-safe. */
public final class RedisSnapshotStore implements SnapshotStore {

    private static final long KEEP_MILLIS = 3_600_000;

    private final RedisConnections redis;

    public RedisSnapshotStore(RedisConnections redis) {
        this.redis = redis;
    }

    @Override
    public CompletionStage<Void> save(String roomId, byte[] snapshot) {
        return redis.commands().set(RedisKeys.snapshot(roomId), snapshot, SetArgs.Builder.px(KEEP_MILLIS)).thenApply(ok -> null);
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
