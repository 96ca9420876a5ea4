package io.roomcast.games;

import io.roomcast.core.room.RoomType;
import io.roomcast.games.arena.BenchArenaRoom;
import io.roomcast.games.broadcast.BroadcastRoom;
import io.roomcast.games.fourinarow.FourInARowRoom;
import io.roomcast.games.orbrush.OrbRushRoom;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The room types bundled with Roomcast; a node offers them all unless its settings say otherwise. */
public final class BundledGames {

    private BundledGames() {}

    /**
     * Orb Rush (the browser demo, "orb-rush"), the W2 bench arena ("bench-arena"), the
     * turn-based Four in a Row ("four-in-a-row") and the W1 broadcast room ("bench-broadcast").
     */
    public static List<RoomType<?>> all() {
        return List.of(OrbRushRoom.TYPE, BenchArenaRoom.TYPE, FourInARowRoom.TYPE, BroadcastRoom.TYPE);
    }

    /** The names of {@link #all()}, in its order. */
    public static List<String> names() {
        return all().stream().map(RoomType::name).toList();
    }

    /**
     * The bundled types with these names, in the order given (a repeated name counts once).
     *
     * @throws IllegalArgumentException on a name that is not bundled; the message lists the known ones
     */
    public static List<RoomType<?>> named(Collection<String> names) {
        Map<String, RoomType<?>> byName = new LinkedHashMap<>();
        all().forEach(type -> byName.put(type.name(), type));
        Map<String, RoomType<?>> chosen = new LinkedHashMap<>();
        for (String name : names) {
            RoomType<?> type = byName.get(name);
            if (type == null) {
                throw new IllegalArgumentException("no bundled game '" + name + "'; the bundled games are "
                        + String.join(", ", byName.keySet()));
            }
            chosen.putIfAbsent(name, type);
        }
        return List.copyOf(chosen.values());
    }
}
