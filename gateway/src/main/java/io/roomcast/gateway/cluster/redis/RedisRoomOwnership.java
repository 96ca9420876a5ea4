package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.ScriptOutputType;
import io.roomcast.gateway.cluster.RoomOwnership;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Room leases in Redis. The lease key holds {@code node:epoch} with a TTL; the epoch comes from
 * a per-room counter that only grows (INCR), so a later owner always has a higher epoch. Claim
 * is SET-if-absent, renew is compare-and-extend, release is compare-and-delete, each one Lua
 * script on the room's two keys (same hash slot). Thread-safe; never blocks.
 */
public final class RedisRoomOwnership implements RoomOwnership {

    private static final String CLAIM = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            local epoch = redis.call('INCR', KEYS[2])
            redis.call('SET', KEYS[1], ARGV[1] .. ':' .. epoch, 'PX', ARGV[2])
            return epoch""";
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0""";
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";

    private final RedisConnections redis;
    private final String nodeId;
    private final long leaseMillis;

    public RedisRoomOwnership(RedisConnections redis, String nodeId, long leaseMillis) {
        this.redis = redis;
        this.nodeId = nodeId;
        this.leaseMillis = leaseMillis;
    }

    @Override
    public CompletionStage<Optional<Lease>> claim(String roomId) {
        return redis.commands().<Long>eval(CLAIM, ScriptOutputType.INTEGER,
                        new String[]{RedisKeys.lease(roomId), RedisKeys.epoch(roomId)},
                        bytes(nodeId), bytes(Long.toString(leaseMillis)))
                .thenApply(epoch -> epoch == 0 ? Optional.empty() : Optional.of(new Lease(roomId, nodeId, epoch)));
    }

    @Override
    public CompletionStage<Boolean> renew(Lease lease) {
        return redis.commands().<Long>eval(RENEW, ScriptOutputType.INTEGER, new String[]{RedisKeys.lease(lease.roomId())},
                        bytes(value(lease)), bytes(Long.toString(leaseMillis)))
                .thenApply(extended -> extended == 1);
    }

    @Override
    public CompletionStage<Optional<Lease>> owner(String roomId) {
        return redis.commands().get(RedisKeys.lease(roomId)).thenApply(value -> {
            if (value == null) {
                return Optional.empty();
            }
            String text = new String(value, StandardCharsets.UTF_8);
            int colon = text.lastIndexOf(':');
            return Optional.of(new Lease(roomId, text.substring(0, colon), Long.parseLong(text.substring(colon + 1))));
        });
    }

    @Override
    public CompletionStage<Void> release(Lease lease) {
        return redis.commands().<Long>eval(RELEASE, ScriptOutputType.INTEGER, new String[]{RedisKeys.lease(lease.roomId())},
                bytes(value(lease))).thenApply(deleted -> null);
    }

    private static String value(Lease lease) {
        return lease.ownerNode() + ":" + lease.epoch();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
