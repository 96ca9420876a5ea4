package io.roomcast.gateway.cluster;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where a room's owner keeps the room's last snapshot, for a node that takes the room over when
 * the owner dies. Thread-safe; asynchronous.
 */
public interface SnapshotStore {

    CompletionStage<Void> save(String roomId, byte[] snapshot);

    CompletionStage<Optional<byte[]>> load(String roomId);

    CompletionStage<Void> delete(String roomId);

    /** The single node: nobody can take a room over, so nothing is kept. */
    SnapshotStore NONE = new SnapshotStore() {
        @Override
        public CompletionStage<Void> save(String roomId, byte[] snapshot) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Optional<byte[]>> load(String roomId) {
            return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public CompletionStage<Void> delete(String roomId) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    };
}
