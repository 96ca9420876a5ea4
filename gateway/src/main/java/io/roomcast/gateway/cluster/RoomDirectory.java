package io.roomcast.gateway.cluster;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Which rooms exist in the cluster, of which game, with how many free seats. Quick-join from any
 * node asks it for the same answer. Thread-safe; answers are asynchronous because the cluster
 * implementation asks Redis.
 */
public interface RoomDirectory {

    record RoomEntry(String roomId, String gameType, int freeSeats) {}

    /** A room of {@code gameType} with a free seat, the fullest first, if any. */
    CompletionStage<Optional<RoomEntry>> findJoinable(String gameType);

    /** Adds or updates a room's entry (called by its owner when seats change). */
    CompletionStage<Void> publish(RoomEntry entry);

    /** Removes a room's entry; {@code gameType} may be null when the caller does not know it. */
    CompletionStage<Void> remove(String roomId, String gameType);
}
