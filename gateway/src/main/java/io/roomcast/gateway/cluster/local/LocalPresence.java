package io.roomcast.gateway.cluster.local;

import io.roomcast.gateway.cluster.Presence;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The single node: it is the only node, and alive. Thread-safe. */
public final class LocalPresence implements Presence {

    private final String nodeId;
    private final String incarnation;

    public LocalPresence(String nodeId, String incarnation) {
        this.nodeId = nodeId;
        this.incarnation = incarnation;
    }

    @Override
    public String incarnation() {
        return incarnation;
    }

    @Override
    public CompletionStage<Void> heartbeat() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<List<String>> aliveNodes() {
        return CompletableFuture.completedFuture(List.of(nodeId));
    }

    @Override
    public CompletionStage<Map<String, Long>> heartbeatAges() {
        return CompletableFuture.completedFuture(Map.of(nodeId, 0L));
    }

    @Override
    public CompletionStage<Map<String, String>> alive(Collection<String> nodeIds) {
        return CompletableFuture.completedFuture(nodeIds.contains(nodeId) ? Map.of(nodeId, incarnation) : Map.of());
    }
}
