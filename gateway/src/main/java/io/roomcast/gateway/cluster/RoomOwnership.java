package io.roomcast.gateway.cluster;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One owner node per room, fenced by an epoch that only grows: messages a room's owner sends
 * carry its lease's epoch, and receivers drop those of an older epoch. A lease lapses unless
 * renewed; a lapsed room can be claimed by another node with a higher epoch. Thread-safe.
 */
public interface RoomOwnership {

    record Lease(String roomId, String ownerNode, long epoch) {}

    /** Claims the room for this node: the lease, or empty if another node holds it. */
    CompletionStage<Optional<Lease>> claim(String roomId);

    /** Extends the lease if it is still this one; false means it was lost (stop ticking). */
    CompletionStage<Boolean> renew(Lease lease);

    /** The room's current owner, if its lease is alive. */
    CompletionStage<Optional<Lease>> owner(String roomId);

    /** Gives the room up (room closed, node draining), if the lease is still this one. */
    CompletionStage<Void> release(Lease lease);
}
