package io.roomcast.gateway.cluster;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What each node tells the admin page about itself (an encoded {@code NodeReport}), kept for a
 * short while: a node rewrites its own every second, and a report not rewritten lapses. Thread-safe;
 * asynchronous.
 */
public interface NodeReports {

    /** Replaces this node's report; it lapses after {@code ttlMillis} unless written again. */
    CompletionStage<Void> publish(String nodeId, byte[] report, long ttlMillis);

    /** The reports of those of {@code nodeIds} that have one now. */
    CompletionStage<Map<String, byte[]>> read(Collection<String> nodeIds);

    /** The single node: no other node to report to or read from. */
    NodeReports NONE = new NodeReports() {
        @Override
        public CompletionStage<Void> publish(String nodeId, byte[] report, long ttlMillis) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Map<String, byte[]>> read(Collection<String> nodeIds) {
            return CompletableFuture.completedFuture(Map.of());
        }
    };
}
