package io.roomcast.core.room;

import com.google.protobuf.Parser;

import java.util.function.Supplier;

/**
 * A game as the framework knows it: a name clients quick-join by, a factory of rooms, the
 * parser of its input payload, and its settings.
 */
public record RoomType<I>(String name, Supplier<? extends Room<I>> factory, Parser<I> inputParser,
                          RoomSettings settings) {

    public RoomType {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,31}")) {
            throw new IllegalArgumentException("room type name must match [a-z0-9][a-z0-9-]{0,31}: " + name);
        }
    }
}
