package io.roomcast.gateway.cluster;

import io.roomcast.proto.cluster.SessionRecord;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a session's resumable part lives so that any node can resume it: its id, name and rooms,
 * under its resume token. A token is single-use: {@link #take} hands a record out once. Records
 * outlive their node by the seat grace. Thread-safe; asynchronous.
 */
public interface SessionStore {

    /** Keeps (or updates) the record of the session whose resume token is {@code token}. */
    CompletionStage<Void> save(String token, SessionRecord record);

    /** The record of {@code token}, removed as it is read: a second take of the same token finds nothing. */
    CompletionStage<Optional<SessionRecord>> take(String token);

    /** The session of {@code playerId} under {@code token} is gone (expired, or resumed under a new token). */
    CompletionStage<Void> forget(String token, String playerId);

    /** Of {@code nodes}, those holding a session of {@code playerId} (to reach it with a direct message). */
    CompletionStage<List<String>> nodesOf(String playerId, Collection<String> nodes);

    /** The single node: sessions resume where they live, in memory; nothing is kept elsewhere. */
    SessionStore NONE = new SessionStore() {
        @Override
        public CompletionStage<Void> save(String token, SessionRecord record) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Optional<SessionRecord>> take(String token) {
            return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public CompletionStage<Void> forget(String token, String playerId) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<List<String>> nodesOf(String playerId, Collection<String> nodes) {
            return CompletableFuture.completedFuture(List.of());
        }
    };
}
