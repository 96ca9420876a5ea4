package io.roomcast.gateway.cluster.local;

import io.roomcast.gateway.cluster.RoomDirectory;

import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** The single-node directory: a concurrent map. Thread-safe. */
public final class LocalRoomDirectory implements RoomDirectory {

    private final ConcurrentHashMap<String, RoomEntry> rooms = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Optional<RoomEntry>> findJoinable(String gameType, String filterKey) {
        // The fullest room with a free seat: players meet instead of spreading one per room.
        return CompletableFuture.completedFuture(rooms.values().stream()
                .filter(r -> r.gameType().equals(gameType) && r.filterKey().equals(filterKey) && r.freeSeats() > 0)
                .min(Comparator.comparingInt(RoomEntry::freeSeats).thenComparing(RoomEntry::roomId)));
    }

    @Override
    public CompletionStage<Void> publish(RoomEntry entry) {
        rooms.put(entry.roomId(), entry);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> remove(String roomId, String gameType, String filterKey) {
        rooms.remove(roomId);
        return CompletableFuture.completedFuture(null);
    }
}
