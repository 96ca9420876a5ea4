package io.roomcast.games;

import io.roomcast.core.room.RoomType;
import io.roomcast.games.arena.BenchArenaRoom;
import io.roomcast.games.broadcast.BroadcastRoom;
import io.roomcast.games.fourinarow.FourInARowRoom;
import io.roomcast.games.orbrush.OrbRushRoom;

import java.util.List;

/** The room types bundled with Roomcast. */
public final class BundledGames {

    private BundledGames() {}

    /**
     * Orb Rush (the browser demo, "orb-rush"), the W2 bench arena ("bench-arena"), the
     * turn-based Four in a Row ("four-in-a-row") and the W1 broadcast room ("bench-broadcast").
     */
    public static List<RoomType<?>> all() {
        return List.of(OrbRushRoom.TYPE, BenchArenaRoom.TYPE, FourInARowRoom.TYPE, BroadcastRoom.TYPE);
    }
}
