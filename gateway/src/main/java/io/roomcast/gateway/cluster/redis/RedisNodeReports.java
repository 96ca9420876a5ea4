package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.SetArgs;
import io.roomcast.gateway.cluster.NodeReports;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Node reports as Redis strings, {@code rc:{node:<id>}:report} (on the node's slot), with a TTL.
 * One GET per node read. Thread-safe; never blocks.
 */
public final class RedisNodeReports implements NodeReports {

    private final RedisConnections redis;

    public RedisNodeReports(RedisConnections redis) {
        this.redis = redis;
    }

    @Override
    public CompletionStage<Void> publish(String nodeId, byte[] report, long ttlMillis) {
        return redis.commands().set(RedisKeys.nodeReport(nodeId), report, SetArgs.Builder.px(ttlMillis)).thenApply(ok -> null);
    }

    @Override
    public CompletionStage<Map<String, byte[]>> read(Collection<String> nodeIds) {
        List<String> nodes = List.copyOf(nodeIds);
        List<CompletableFuture<byte[]>> reads = nodes.stream()
                .map(node -> redis.commands().get(RedisKeys.nodeReport(node)).toCompletableFuture()).toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, byte[]> reports = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                byte[] report = reads.get(i).join();
                if (report != null) {
                    reports.put(nodes.get(i), report);
                }
            }
            return reports;
        });
    }
}
