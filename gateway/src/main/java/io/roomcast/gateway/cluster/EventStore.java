package io.roomcast.gateway.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a room's owner keeps its recent room events as it logs them, so that the node that takes
 * the room over can go on with them — also those logged after the owner's last snapshot — and a
 * resuming player gets them replayed. Bounded per room. Thread-safe; asynchronous.
 */
public interface EventStore {

    /** Keeps one encoded {@code ServerFrame{event}} of the room (it carries its offset). */
    void append(String roomId, byte[] event);

    /** The room's kept events, oldest first. */
    CompletionStage<List<byte[]>> recent(String roomId);

    CompletionStage<Void> delete(String roomId);

    /** The single node: no other node takes a room over, nothing is kept. */
    EventStore NONE = new EventStore() {
        @Override
        public void append(String roomId, byte[] event) {
        }

        @Override
        public CompletionStage<List<byte[]>> recent(String roomId) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<Void> delete(String roomId) {
            return CompletableFuture.completedFuture(null);
        }
    };
}
