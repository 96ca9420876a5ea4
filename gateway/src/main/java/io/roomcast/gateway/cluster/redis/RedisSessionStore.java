package io.roomcast.gateway.cluster.redis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lettuce.core.ScriptOutputType;
import io.roomcast.gateway.cluster.SessionStore;
import io.roomcast.proto.cluster.SessionRecord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Session records in Redis: one hash per node ({@link RedisKeys#nodeSessions}), a field per
 * session named by the SHA-256 of its resume token (Redis never holds a usable token), the hash's
 * time to live refreshed by the node's heartbeat to a lease plus the seat grace — so the records
 * of a node that died can be taken for the grace, then they go. A token names its node
 * ({@code <node>~<secret>}), so the record is found with one command. Thread-safe; never blocks.
 */
public final class RedisSessionStore implements SessionStore {

    private static final String TAKE = """
            local record = redis.call('HGET', KEYS[1], ARGV[1])
            if record then redis.call('HDEL', KEYS[1], ARGV[1]) end
            return record""";

    private final RedisConnections redis;

    public RedisSessionStore(RedisConnections redis) {
        this.redis = redis;
    }

    @Override
    public CompletionStage<Void> save(String token, SessionRecord record) {
        String node = nodeOf(token);
        if (node == null) {
            return CompletableFuture.completedFuture(null);
        }
        return redis.commands().hset(RedisKeys.nodeSessions(node), java.util.Map.of(field(token), record.toByteArray(),
                playerField(record.getSessionId()), new byte[] {1})).thenApply(n -> null);
    }

    @Override
    public CompletionStage<Optional<SessionRecord>> take(String token) {
        String node = nodeOf(token);
        if (node == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return redis.commands().<byte[]>eval(TAKE, ScriptOutputType.VALUE, new String[]{RedisKeys.nodeSessions(node)},
                field(token).getBytes(StandardCharsets.UTF_8)).thenApply(bytes -> {
                    if (bytes == null) {
                        return Optional.empty();
                    }
                    try {
                        return Optional.of(SessionRecord.parseFrom(bytes));
                    } catch (InvalidProtocolBufferException e) {
                        return Optional.empty();
                    }
                });
    }

    @Override
    public CompletionStage<Void> forget(String token, String playerId) {
        String node = nodeOf(token);
        if (node == null) {
            return CompletableFuture.completedFuture(null);
        }
        return redis.commands().hdel(RedisKeys.nodeSessions(node), field(token), playerField(playerId)).thenApply(n -> null);
    }

    @Override
    public CompletionStage<List<String>> nodesOf(String playerId, Collection<String> nodes) {
        List<String> asked = List.copyOf(nodes);
        List<CompletableFuture<Boolean>> holds = asked.stream().map(node -> redis.commands()
                .hexists(RedisKeys.nodeSessions(node), playerField(playerId)).toCompletableFuture()).toList();
        return CompletableFuture.allOf(holds.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<String> found = new ArrayList<>();
            for (int i = 0; i < asked.size(); i++) {
                if (Boolean.TRUE.equals(holds.get(i).join())) {
                    found.add(asked.get(i));
                }
            }
            return found;
        });
    }

    /** The marker of a player's session on a node: "p:" and its id (ids are never 64 hex digits, the token fields are). */
    private static String playerField(String playerId) {
        return "p:" + playerId;
    }

    /** The node a token was issued by; null for a token of another shape (forged, or from an old version). */
    static String nodeOf(String token) {
        int cut = token.indexOf('~');
        return cut <= 0 ? null : token.substring(0, cut);
    }

    private static String field(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
