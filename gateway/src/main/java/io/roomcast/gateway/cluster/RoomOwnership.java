package io.roomcast.gateway.cluster;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One owner node per room, fenced by an epoch that only grows — also across the room's keys
 * being deleted or the store restarting empty (see "Ownership, epochs and fencing" in
 * docs/architecture.md): messages a room's owner sends carry its lease's epoch, and receivers
 * drop those of an older epoch. A lease lapses unless renewed; a lapsed room can be claimed by
 * another node with a higher epoch. Thread-safe.
 */
public interface RoomOwnership {

    record Lease(String roomId, String ownerNode, long epoch) {}

    /** How a claim treats what an earlier owner of the room id left behind. */
    enum Claim {
        /** A new room (created by id or by name): a snapshot of an earlier room of that id is deleted. */
        FRESH,
        /** Taking over a room whose owner went silent: its snapshot is kept for the restore. */
        TAKEOVER
    }

    /** Claims the room for this node: the lease, or empty if another node holds it. */
    CompletionStage<Optional<Lease>> claim(String roomId, Claim kind);

    /**
     * Extends the lease if it is still this one: the same lease. If nobody holds the room any more
     * (the store forgot the lease: Redis restarted empty), claims it again: a new lease with a
     * higher epoch. Empty when another node holds it (stop ticking).
     */
    CompletionStage<Optional<Lease>> renew(Lease lease);

    /** The room's current owner, if its lease is alive. */
    CompletionStage<Optional<Lease>> owner(String roomId);

    /** Gives the room up for another node to take over (node draining, room stalled), if the lease is still this one. */
    CompletionStage<Void> release(Lease lease);

    /** The room is gone: its lease and its epoch are deleted, if the lease is still this one. */
    CompletionStage<Void> retire(Lease lease);
}
