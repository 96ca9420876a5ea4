package io.roomcast.core.room;

import com.google.protobuf.Parser;

import java.util.HashSet;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A game as the framework knows it: a name clients quick-join by, a factory of rooms, the
 * parser of its input payload, its settings, and the names of the creation options quick-join
 * filters by.
 *
 * <p>{@code filterBy}: a quick-join with options (clients send {@code Join.options}) only lands
 * in an open room created with the same values of these options; the other options play no part
 * in matching. Empty (the default): every open room of the game matches. A room reads the
 * options it was created with from {@link RoomContext#options()}.
 */
public record RoomType<I>(String name, Supplier<? extends Room<I>> factory, Parser<I> inputParser,
                          RoomSettings settings, List<String> filterBy) {

    /** What an option's name (and so each of {@code filterBy}) looks like: 1..32 of [A-Za-z0-9_.-]. */
    public static final Pattern OPTION_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    /** A room has at most this many creation options, and a game filters by at most this many. */
    public static final int MAX_OPTIONS = 16;

    public RoomType {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,31}")) {
            throw new IllegalArgumentException("room type name must match [a-z0-9][a-z0-9-]{0,31}: " + name);
        }
        filterBy = filterBy == null ? List.of() : List.copyOf(filterBy);
        if (filterBy.size() > MAX_OPTIONS) {
            throw new IllegalArgumentException("a game filters by at most " + MAX_OPTIONS + " options: " + filterBy);
        }
        for (String option : filterBy) {
            if (!OPTION_NAME.matcher(option).matches()) {
                throw new IllegalArgumentException("an option name is 1..32 of [A-Za-z0-9_.-]: " + option);
            }
        }
        if (new HashSet<>(filterBy).size() != filterBy.size()) {
            throw new IllegalArgumentException("filterBy names an option twice: " + filterBy);
        }
    }

    /** A game that filters by nothing: quick-join takes any open room of it. */
    public RoomType(String name, Supplier<? extends Room<I>> factory, Parser<I> inputParser, RoomSettings settings) {
        this(name, factory, inputParser, settings, List.of());
    }

    /** This game, with quick-join matching only rooms created with the same values of these options. */
    public RoomType<I> withFilterBy(String... options) {
        return new RoomType<>(name, factory, inputParser, settings, List.of(options));
    }
}
