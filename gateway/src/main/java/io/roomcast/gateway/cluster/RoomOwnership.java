package io.roomcast.gateway.cluster;

import java.util.concurrent.CompletionStage;

/**
 * One owner node per room, fenced by an epoch that only grows: messages a room's owner sends
 * carry its lease's epoch, and receivers drop those of an older epoch. Thread-safe.
 */
public interface RoomOwnership {

    record Lease(String roomId, String ownerNode, long epoch) {}

    /** Claims the room for this node; completes exceptionally if another node holds it. */
    CompletionStage<Lease> claim(String roomId);

    /** Gives the room up (room closed, node draining). */
    CompletionStage<Void> release(Lease lease);
}
