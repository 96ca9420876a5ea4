package io.roomcast.core.room;

import com.google.protobuf.ByteString;

import java.util.Collection;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What the framework offers a room: time, its players, and ways to talk to them. Valid only on
 * the room's thread, during a call from the framework.
 */
public interface RoomContext {

    String roomId();

    /**
     * The options the room was created with ({@code Join.options} of the quick-join or
     * join-or-create that created it), sorted by name; empty when none were given. Unmodifiable;
     * the same in {@code onCreate} and every later call, and after a takeover. Only the names the
     * game's {@link RoomType#filterBy()} lists are matched by quick-join: the others are whatever
     * the creating client sent.
     */
    default Map<String, String> options() {
        return Map.of();
    }

    /**
     * The number of the tick being run (1 for the first), or between ticks of the last one run;
     * 0 before the first tick. A room taken over goes on with the numbers of its snapshot.
     */
    long tick();

    /** The fixed simulation step, in seconds: 1 / tick rate. */
    double tickSeconds();

    /** Wall-clock time from the framework's clock, in milliseconds since the epoch. */
    long nowMillis();

    /** The seated players, in seat order. */
    Collection<Player> players();

    /**
     * The seq of the player's last input handed to {@link Room#onInput} (during that call: the
     * input's own seq); 0 if none yet or if the player holds no seat. Clients read it back from
     * the state's {@code applied} list to reconcile their prediction.
     */
    long lastInputSeq(Player player);

    /** A random source seeded per room, so a room replays identically under a fake clock. */
    RandomGenerator random();

    /** Send an event to every player in the room; it is kept in the room's event log. */
    void broadcast(String name, ByteString payload);

    /** Send an event to one player of the room (not logged). */
    void send(Player to, String name, ByteString payload);

    /** Remove a player from the room; {@link Room#onLeave} follows with {@link LeaveCause#KICKED}. */
    void kick(Player player, String reason);

    /** Close the room after the current call: every player leaves with ROOM_CLOSED. */
    void close();
}
