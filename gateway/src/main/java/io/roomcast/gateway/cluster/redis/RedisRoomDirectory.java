package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.roomcast.gateway.cluster.RoomDirectory;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The room directory in Redis: a hash per room (game, free seats) and, per game, a sorted set of
 * its rooms with a free seat scored by free seats, so quick-join from any node finds the
 * fullest open room with one command. Thread-safe; never blocks.
 */
public final class RedisRoomDirectory implements RoomDirectory {

    private static final String GAME = "game";
    private static final String FREE = "free";

    private final RedisConnections redis;
    private final long keepMillis;

    /** Entries expire {@link RedisKeys#keepMillis} after the owner's last renewal (which extends them). */
    public RedisRoomDirectory(RedisConnections redis, long leaseMillis) {
        this.redis = redis;
        this.keepMillis = RedisKeys.keepMillis(leaseMillis);
    }

    @Override
    public CompletionStage<Optional<RoomEntry>> findJoinable(String gameType) {
        return redis.commands().zrangebyscoreWithScores(RedisKeys.openRooms(gameType),
                        Range.create(1, Double.POSITIVE_INFINITY), Limit.create(0, 1))
                .thenApply(found -> found.stream().findFirst().map(scored -> new RoomEntry(
                        new String(scored.getValue(), StandardCharsets.UTF_8), gameType, (int) scored.getScore())));
    }

    @Override
    public CompletionStage<Void> publish(RoomEntry entry) {
        var commands = redis.commands();
        var info = commands.hset(RedisKeys.info(entry.roomId()), Map.of(
                GAME, bytes(entry.gameType()), FREE, bytes(Integer.toString(entry.freeSeats()))));
        var expiry = commands.pexpire(RedisKeys.info(entry.roomId()), keepMillis);
        var open = entry.freeSeats() > 0
                ? commands.zadd(RedisKeys.openRooms(entry.gameType()), entry.freeSeats(), bytes(entry.roomId()))
                : commands.zrem(RedisKeys.openRooms(entry.gameType()), bytes(entry.roomId()));
        return CompletableFuture.allOf(info.toCompletableFuture(), expiry.toCompletableFuture(), open.toCompletableFuture());
    }

    /** With {@code gameType} null (a room lost before its game was known here) the entry names it. */
    @Override
    public CompletionStage<Void> remove(String roomId, String gameType) {
        if (gameType == null) {
            return redis.commands().hget(RedisKeys.info(roomId), GAME).thenCompose(game -> game == null
                    ? redis.commands().del(RedisKeys.info(roomId)).thenApply(n -> null)
                    : remove(roomId, new String(game, StandardCharsets.UTF_8)));
        }
        var commands = redis.commands();
        return CompletableFuture.allOf(
                commands.del(RedisKeys.info(roomId)).toCompletableFuture(),
                commands.zrem(RedisKeys.openRooms(gameType), bytes(roomId)).toCompletableFuture());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
