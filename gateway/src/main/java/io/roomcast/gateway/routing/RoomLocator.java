package io.roomcast.gateway.routing;

import io.roomcast.gateway.cluster.RoomOwnership;
import io.roomcast.gateway.members.Members;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Finds a room's owner node: this node when it runs the room, the owner this node's members
 * hear from, else the room's lease. Completes with null when the room has no owner (it is gone),
 * exceptionally when the lease could not be read (Redis unreachable). Thread-safe.
 */
final class RoomLocator {

    private final String nodeId;
    private final RoomCreator rooms;
    private final Members members;
    private final RoomOwnership ownership;

    RoomLocator(String nodeId, RoomCreator rooms, Members members, RoomOwnership ownership) {
        this.nodeId = nodeId;
        this.rooms = rooms;
        this.members = members;
        this.ownership = ownership;
    }

    CompletionStage<String> locate(String roomId) {
        if (rooms.hosts(roomId)) {
            return CompletableFuture.completedFuture(nodeId);
        }
        String known = members.ownerOf(roomId);
        if (known != null && !known.equals(nodeId)) {
            return CompletableFuture.completedFuture(known);
        }
        return ownership.owner(roomId).thenApply(lease -> lease.map(RoomOwnership.Lease::ownerNode).orElse(null));
    }
}
