package io.roomcast.core;

import io.roomcast.core.games.arena.BenchArenaRoom;
import io.roomcast.core.games.broadcast.BroadcastRoom;
import io.roomcast.core.games.demo.OrbRushRoom;
import io.roomcast.core.games.fourinarow.FourInARowRoom;
import io.roomcast.core.room.RoomType;

import java.util.List;

/** The room types bundled with Roomcast. */
public final class Games {

    private Games() {}

    /**
     * Orb Rush (the browser demo, "orb-rush"), the W2 bench arena ("bench-arena"), the
     * turn-based Four in a Row ("four-in-a-row") and the W1 broadcast room ("bench-broadcast").
     */
    public static List<RoomType<?>> builtIn() {
        return List.of(OrbRushRoom.TYPE, BenchArenaRoom.TYPE, FourInARowRoom.TYPE, BroadcastRoom.TYPE);
    }
}
