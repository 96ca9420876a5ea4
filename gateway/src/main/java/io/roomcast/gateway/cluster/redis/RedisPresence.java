package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.roomcast.gateway.cluster.Presence;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Node liveness in Redis: {@code rc:{node:<id>}:alive} holds the incarnation, with a TTL of one
 * lease, set every third of a lease (which also keeps the node's resumable sessions a lease plus
 * the seat grace). One GET per node asked about (a node's key lives on its own
 * slot on a Redis Cluster). Thread-safe; never blocks.
 */
public final class RedisPresence implements Presence {

    private volatile Runnable resaveSessions = () -> {};

    private final RedisConnections redis;
    private final String nodeId;
    private final String incarnation;
    private final long leaseMillis;
    private final long sessionsKeepMillis;

    /** @param seatGraceMillis how long this node's resumable sessions outlive its last heartbeat, past a lease */
    public RedisPresence(RedisConnections redis, String nodeId, String incarnation, long leaseMillis, long seatGraceMillis) {
        this.redis = redis;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.leaseMillis = leaseMillis;
        this.sessionsKeepMillis = leaseMillis + seatGraceMillis;
    }

    @Override
    public String incarnation() {
        return incarnation;
    }

    // The cluster's node list: a sorted set scored by Redis's clock at each heartbeat; members older
    // than ten leases are dropped as it is written. Alive: heard from within a lease.
    private static final String BEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 10 * tonumber(ARGV[2]))
            return 1""";
    private static final String ALIVE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[1]), '+inf')""";

    // Every listed node and the milliseconds since its heartbeat, as node, age, node, age, ...
    private static final String AGES = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local listed = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
            local out = {}
            for i = 1, #listed, 2 do
              out[#out + 1] = listed[i]
              out[#out + 1] = string.format('%d', math.max(0, now - tonumber(listed[i + 1])))
            end
            return out""";

    @Override
    public CompletionStage<Map<String, Long>> heartbeatAges() {
        return redis.commands().<List<byte[]>>eval(AGES, ScriptOutputType.MULTI, new String[]{RedisKeys.nodes()})
                .thenApply(flat -> {
                    Map<String, Long> ages = new java.util.TreeMap<>();
                    for (int i = 0; i + 1 < flat.size(); i += 2) {
                        ages.put(new String(flat.get(i), StandardCharsets.UTF_8),
                                Long.parseLong(new String(flat.get(i + 1), StandardCharsets.UTF_8)));
                    }
                    return ages;
                });
    }

    @Override
    public CompletionStage<List<String>> aliveNodes() {
        return redis.commands().<List<byte[]>>eval(ALIVE, ScriptOutputType.MULTI, new String[]{RedisKeys.nodes()},
                        Long.toString(leaseMillis).getBytes(StandardCharsets.UTF_8))
                .thenApply(nodes -> nodes.stream().map(n -> new String(n, StandardCharsets.UTF_8)).toList());
    }

    @Override
    public void onSessionRecordsLost(Runnable resave) {
        this.resaveSessions = resave;
    }

    @Override
    public CompletionStage<Void> heartbeat() {
        redis.commands().pexpire(RedisKeys.nodeSessions(nodeId), sessionsKeepMillis);
        redis.commands().pexpire(RedisKeys.nodeSessionsKept(nodeId), sessionsKeepMillis).thenAccept(kept -> {
            if (!Boolean.TRUE.equals(kept)) {
                // Redis forgot them (it came back empty), or the node just started: write them all, then
                // the mark (after them, on the same connection).
                resaveSessions.run();
                redis.commands().set(RedisKeys.nodeSessionsKept(nodeId), incarnation.getBytes(StandardCharsets.UTF_8),
                        SetArgs.Builder.px(sessionsKeepMillis));
            }
        });
        redis.commands().eval(BEAT, ScriptOutputType.INTEGER, new String[]{RedisKeys.nodes()},
                nodeId.getBytes(StandardCharsets.UTF_8), Long.toString(leaseMillis).getBytes(StandardCharsets.UTF_8));
        return redis.commands().set(RedisKeys.nodeAlive(nodeId), incarnation.getBytes(StandardCharsets.UTF_8),
                SetArgs.Builder.px(leaseMillis)).thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Map<String, String>> alive(Collection<String> nodeIds) {
        List<String> nodes = List.copyOf(nodeIds);
        List<CompletableFuture<byte[]>> reads = nodes.stream()
                .map(node -> redis.commands().get(RedisKeys.nodeAlive(node)).toCompletableFuture()).toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, String> alive = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                byte[] value = reads.get(i).join();
                if (value != null) {
                    alive.put(nodes.get(i), new String(value, StandardCharsets.UTF_8));
                }
            }
            return alive;
        });
    }
}
