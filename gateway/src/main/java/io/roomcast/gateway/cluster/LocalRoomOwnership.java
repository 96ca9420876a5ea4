package io.roomcast.gateway.cluster;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** The single-node ownership: this node owns every room it claims; each claim bumps the epoch. Thread-safe. */
public final class LocalRoomOwnership implements RoomOwnership {

    private final String nodeId;
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();

    public LocalRoomOwnership(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public CompletionStage<Optional<Lease>> claim(String roomId) {
        Lease lease = leases.merge(roomId, new Lease(roomId, nodeId, 1),
                (old, fresh) -> new Lease(roomId, nodeId, old.epoch() + 1));
        return CompletableFuture.completedFuture(Optional.of(lease));
    }

    @Override
    public CompletionStage<Boolean> renew(Lease lease) {
        return CompletableFuture.completedFuture(lease.equals(leases.get(lease.roomId())));
    }

    @Override
    public CompletionStage<Optional<Lease>> owner(String roomId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(leases.get(roomId)));
    }

    @Override
    public CompletionStage<Void> release(Lease lease) {
        leases.remove(lease.roomId(), lease);
        return CompletableFuture.completedFuture(null);
    }
}
