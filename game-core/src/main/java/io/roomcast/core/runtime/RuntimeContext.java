package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;
import io.roomcast.core.loop.Clock;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.RoomContext;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;
import java.util.Queue;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The {@link RoomContext} a {@link RoomRuntime} hands its room. Kicks and close requests are
 * only collected here: the runtime carries them out once the room's current call has returned,
 * so a room never sees {@code onLeave} in the middle of its own {@code onTick} or {@code onInput}.
 *
 * <p>Threading: confined to the room's thread.
 */
final class RuntimeContext implements RoomContext {

    record Kick(String playerId, String reason) {}

    private final String roomId;
    private final double tickSeconds;
    private final Clock clock;
    private final LongSupplier tick;
    private final Seats seats;
    private final RoomEvents events;
    private final RandomGenerator random;
    private final Queue<Kick> kicks = new ArrayDeque<>();
    private boolean closeRequested;
    private Map<String, String> options;

    /** @param options unmodifiable (the runtime's copy) */
    RuntimeContext(String roomId, Map<String, String> options, int tickRateHz, Clock clock, LongSupplier tick,
                   Seats seats, RoomEvents events, RandomGenerator random) {
        this.roomId = roomId;
        this.options = options;
        this.tickSeconds = 1.0 / tickRateHz;
        this.clock = clock;
        this.tick = tick;
        this.seats = seats;
        this.events = events;
        this.random = random;
    }

    @Override
    public String roomId() {
        return roomId;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    /** A restored room reads the options of its snapshot. */
    void options(Map<String, String> options) {
        this.options = options;
    }

    @Override
    public long tick() {
        return tick.getAsLong();
    }

    @Override
    public double tickSeconds() {
        return tickSeconds;
    }

    @Override
    public long nowMillis() {
        return clock.currentTimeMillis();
    }

    @Override
    public Collection<Player> players() {
        return seats.inSeatOrder();
    }

    @Override
    public long lastInputSeq(Player player) {
        Player seated = seats.get(player.id());
        return seated == null ? 0 : Integer.toUnsignedLong(seats.lastInputSeq(seated));
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public void broadcast(String name, ByteString payload) {
        events.toRoom(RoomEvents.FROM_ROOM, name, payload);
    }

    @Override
    public void send(Player to, String name, ByteString payload) {
        events.toPlayer(RoomEvents.FROM_ROOM, to.id(), name, payload);
    }

    @Override
    public void kick(Player player, String reason) {
        kicks.add(new Kick(player.id(), reason));
    }

    @Override
    public void close() {
        closeRequested = true;
    }

    /** The oldest kick not yet carried out, or null. */
    Kick pollKick() {
        return kicks.poll();
    }

    boolean closeRequested() {
        return closeRequested;
    }
}
