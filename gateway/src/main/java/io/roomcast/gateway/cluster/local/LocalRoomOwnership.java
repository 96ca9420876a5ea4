package io.roomcast.gateway.cluster.local;

import io.roomcast.gateway.cluster.RoomOwnership;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single-node ownership: this node owns every room it claims. Epochs come from one counter
 * that starts at the wall clock, so they grow across rooms retired and re-created. Thread-safe.
 */
public final class LocalRoomOwnership implements RoomOwnership {

    private final String nodeId;
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();
    private final AtomicLong epochs = new AtomicLong(System.currentTimeMillis());

    public LocalRoomOwnership(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public CompletionStage<Optional<Lease>> claim(String roomId, Claim kind) {
        Lease fresh = new Lease(roomId, nodeId, epochs.incrementAndGet());
        Lease held = leases.putIfAbsent(roomId, fresh);
        return CompletableFuture.completedFuture(held == null ? Optional.of(fresh) : Optional.empty());
    }

    @Override
    public CompletionStage<Optional<Lease>> renew(Lease lease) {
        return CompletableFuture.completedFuture(lease.equals(leases.get(lease.roomId())) ? Optional.of(lease) : Optional.empty());
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

    @Override
    public CompletionStage<Void> retire(Lease lease) {
        return release(lease);
    }
}
