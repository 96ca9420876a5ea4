package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.roomcast.gateway.cluster.RoomDirectory;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The room directory in Redis: a hash per room (game, free seats, and its filter key when it has
 * one) and, per game and filter key, a sorted set of its rooms with a free seat scored by free
 * seats, so quick-join from any node finds the fullest open room with one command. Thread-safe;
 * never blocks.
 */
public final class RedisRoomDirectory implements RoomDirectory {

    private static final String GAME = "game";
    private static final String FREE = "free";
    /** Absent for a room whose game filters by nothing (the empty filter key). */
    private static final String FILTER = "filter";

    private final RedisConnections redis;
    private final long keepMillis;

    /** Entries expire {@link RedisKeys#keepMillis} after the owner's last renewal (which extends them). */
    public RedisRoomDirectory(RedisConnections redis, long leaseMillis) {
        this.redis = redis;
        this.keepMillis = RedisKeys.keepMillis(leaseMillis);
    }

    @Override
    public CompletionStage<Optional<RoomEntry>> findJoinable(String gameType, String filterKey) {
        return redis.commands().zrangebyscoreWithScores(RedisKeys.openRooms(gameType, filterKey),
                        Range.create(1, Double.POSITIVE_INFINITY), Limit.create(0, 1))
                .thenApply(found -> found.stream().findFirst().map(scored -> new RoomEntry(
                        new String(scored.getValue(), StandardCharsets.UTF_8), gameType, filterKey, (int) scored.getScore())));
    }

    @Override
    public CompletionStage<Void> publish(RoomEntry entry) {
        var commands = redis.commands();
        Map<String, byte[]> fields = new HashMap<>();
        fields.put(GAME, bytes(entry.gameType()));
        fields.put(FREE, bytes(Integer.toString(entry.freeSeats())));
        if (!entry.filterKey().isEmpty()) {
            fields.put(FILTER, bytes(entry.filterKey()));
        }
        var info = commands.hset(RedisKeys.info(entry.roomId()), fields);
        var expiry = commands.pexpire(RedisKeys.info(entry.roomId()), keepMillis);
        String open = RedisKeys.openRooms(entry.gameType(), entry.filterKey());
        var listed = entry.freeSeats() > 0
                ? commands.zadd(open, entry.freeSeats(), bytes(entry.roomId()))
                : commands.zrem(open, bytes(entry.roomId()));
        return CompletableFuture.allOf(info.toCompletableFuture(), expiry.toCompletableFuture(), listed.toCompletableFuture());
    }

    /**
     * With {@code gameType} or {@code filterKey} null (a room lost before its game was known here)
     * the entry names them; when the entry is gone too, an unknown filter key is taken as empty.
     */
    @Override
    public CompletionStage<Void> remove(String roomId, String gameType, String filterKey) {
        var commands = redis.commands();
        if (gameType == null || filterKey == null) {
            return commands.hmget(RedisKeys.info(roomId), GAME, FILTER).thenCompose(fields -> {
                String game = gameType != null ? gameType : field(fields, 0);
                String filter = filterKey != null ? filterKey : field(fields, 1);
                return game == null
                        ? commands.del(RedisKeys.info(roomId)).thenApply(n -> null)
                        : remove(roomId, game, filter == null ? "" : filter);
            });
        }
        return CompletableFuture.allOf(
                commands.del(RedisKeys.info(roomId)).toCompletableFuture(),
                commands.zrem(RedisKeys.openRooms(gameType, filterKey), bytes(roomId)).toCompletableFuture());
    }

    private static String field(List<KeyValue<String, byte[]>> fields, int index) {
        KeyValue<String, byte[]> field = fields.get(index);
        return field.hasValue() ? new String(field.getValue(), StandardCharsets.UTF_8) : null;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
