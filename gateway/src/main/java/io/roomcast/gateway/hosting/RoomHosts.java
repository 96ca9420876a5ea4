package io.roomcast.gateway.hosting;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rooms this node owns, by id, and the room slots they take (at most
 * {@code --max-rooms-per-node}); also the rooms being started, so a join that arrives between a
 * claim and the room's registration waits for it instead of failing. Thread-safe.
 */
final class RoomHosts {

    private final int maxRooms;
    private final ConcurrentHashMap<String, RoomHost> hosts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<RoomHost>> starting = new ConcurrentHashMap<>();
    private final AtomicInteger slots = new AtomicInteger();

    RoomHosts(int maxRooms) {
        this.maxRooms = maxRooms;
    }

    /** Takes a room slot; false when the node holds its maximum of rooms. */
    boolean takeSlot() {
        if (slots.incrementAndGet() > maxRooms) {
            slots.decrementAndGet();
            return false;
        }
        return true;
    }

    void giveSlotBack() {
        slots.decrementAndGet();
    }

    RoomHost get(String roomId) {
        return hosts.get(roomId);
    }

    /** The host of {@code roomId}, waiting for it if it is being started here; null if neither. */
    CompletableFuture<RoomHost> whenHosted(String roomId) {
        RoomHost host = hosts.get(roomId);
        if (host != null) {
            return CompletableFuture.completedFuture(host);
        }
        CompletableFuture<RoomHost> pending = starting.get(roomId);
        return pending != null ? pending : CompletableFuture.completedFuture(hosts.get(roomId));
    }

    /** A claim for {@code roomId} is on its way; joins for it wait until {@link #started}. */
    CompletableFuture<RoomHost> starting(String roomId) {
        return starting.computeIfAbsent(roomId, id -> new CompletableFuture<>());
    }

    /** The claim ended: the host (registered), or null (the claim failed). */
    void started(String roomId, RoomHost host) {
        if (host != null) {
            hosts.put(roomId, host);
        }
        CompletableFuture<RoomHost> pending = starting.remove(roomId);
        if (pending != null) {
            pending.complete(host);
        }
    }

    /** Deregisters the host (if it is still the registered one) and frees its slot. */
    boolean remove(RoomHost host) {
        if (hosts.remove(host.roomId(), host)) {
            slots.decrementAndGet();
            return true;
        }
        return false;
    }

    Collection<RoomHost> all() {
        return hosts.values();
    }

    Collection<String> ids() {
        return hosts.keySet();
    }

    int size() {
        return hosts.size();
    }
}
