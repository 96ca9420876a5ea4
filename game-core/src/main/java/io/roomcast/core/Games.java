package io.roomcast.core;

import io.roomcast.core.room.RoomType;

import java.util.List;

/** The room types bundled with Roomcast. */
public final class Games {

    private Games() {}

    public static List<RoomType<?>> builtIn() {
        throw new UnsupportedOperationException("TODO");
    }
}
