package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.ScriptOutputType;
import io.roomcast.gateway.cluster.RoomOwnership;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Room leases in Redis. The lease key holds {@code node:epoch} with a TTL. An epoch is the larger
 * of the room's last epoch + 1 and Redis's clock in milliseconds, so it grows also when the
 * room's keys are gone (the room closed and a room of the same name opened, or Redis restarted
 * empty). Claim is SET-if-absent, renew is compare-and-extend (it also extends the room's other
 * keys: epoch, directory entry, snapshot), release and retire are compare-and-delete; each is one
 * Lua script on the room's keys (one hash slot). Thread-safe; never blocks.
 */
public final class RedisRoomOwnership implements RoomOwnership {

    /**
     * Lua: a new epoch for the room — the larger of its last epoch + 1 and Redis's clock in ms —
     * stored (KEYS[2], kept ARGV[3] ms) and held by {@code owner} (KEYS[1], a lease of ARGV[2] ms);
     * leaves it in {@code epoch}. Shared by a claim and a renewal that finds the lease gone.
     */
    private static String takeNewEpoch(String owner) {
        return """
                local t = redis.call('TIME')
                local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
                local last = tonumber(redis.call('GET', KEYS[2]) or '0')
                local epoch = string.format('%d', math.max(last + 1, now))
                redis.call('SET', KEYS[2], epoch, 'PX', ARGV[3])
                redis.call('SET', KEYS[1], OWNER .. ':' .. epoch, 'PX', ARGV[2])
                """.replace("OWNER", owner);
    }

    private static final String CLAIM = "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
            + takeNewEpoch("ARGV[1]")
            + "if ARGV[4] == 'fresh' then redis.call('DEL', KEYS[3], KEYS[4]) end\n"
            + "return tonumber(epoch)";
    // 1: renewed. 0: another node holds it. Else the epoch this node holds the room at now: the
    // lease was gone (Redis forgot it, or it expired while Redis stalled) and is claimed again as in
    // CLAIM — or an earlier renewal of this node did that and its answer never came back (it timed
    // out while Redis stalled, or this renewal was sent before it came): the lease is this node's
    // at a newer epoch, and renewed as such. (ARGV[4] is the owner's node id, ARGV[5] its epoch.)
    private static final String RENEW = """
            local held = redis.call('GET', KEYS[1])
            if held == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
              return 1
            end
            if held then
              local mine = ARGV[4] .. ':'
              if string.sub(held, 1, #mine) ~= mine then return 0 end
              local epoch = tonumber(string.sub(held, #mine + 1))
              if not epoch or epoch <= tonumber(ARGV[5]) then return 0 end
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
              return epoch
            end
            """ + takeNewEpoch("ARGV[4]") + "return tonumber(epoch)";
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";
    private static final String RETIRE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1], KEYS[2]) end
            return 0""";

    private final RedisConnections redis;
    private final String nodeId;
    private final long leaseMillis;
    private final byte[] keepMillis;

    public RedisRoomOwnership(RedisConnections redis, String nodeId, long leaseMillis) {
        this.redis = redis;
        this.nodeId = nodeId;
        this.leaseMillis = leaseMillis;
        this.keepMillis = bytes(Long.toString(RedisKeys.keepMillis(leaseMillis)));
    }

    @Override
    public CompletionStage<Optional<Lease>> claim(String roomId, Claim kind) {
        return redis.commands().<Long>eval(CLAIM, ScriptOutputType.INTEGER,
                        new String[]{RedisKeys.lease(roomId), RedisKeys.epoch(roomId), RedisKeys.snapshot(roomId),
                                RedisKeys.events(roomId)},
                        bytes(nodeId), bytes(Long.toString(leaseMillis)), keepMillis,
                        bytes(kind == Claim.FRESH ? "fresh" : "takeover"))
                .thenApply(epoch -> epoch == 0 ? Optional.empty() : Optional.of(new Lease(roomId, nodeId, epoch)));
    }

    @Override
    public CompletionStage<Optional<Lease>> renew(Lease lease) {
        String room = lease.roomId();
        return redis.commands().<Long>eval(RENEW, ScriptOutputType.INTEGER,
                        new String[]{RedisKeys.lease(room), RedisKeys.epoch(room), RedisKeys.info(room), RedisKeys.snapshot(room),
                                RedisKeys.events(room)},
                        bytes(value(lease)), bytes(Long.toString(leaseMillis)), keepMillis, bytes(nodeId),
                        bytes(Long.toString(lease.epoch())))
                .thenApply(result -> result == 0 ? Optional.<Lease>empty()
                        : Optional.of(result == 1 ? lease : new Lease(room, nodeId, result)));
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

    @Override
    public CompletionStage<Void> retire(Lease lease) {
        return redis.commands().<Long>eval(RETIRE, ScriptOutputType.INTEGER,
                new String[]{RedisKeys.lease(lease.roomId()), RedisKeys.epoch(lease.roomId())},
                bytes(value(lease))).thenApply(deleted -> null);
    }

    private static String value(Lease lease) {
        return lease.ownerNode() + ":" + lease.epoch();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
