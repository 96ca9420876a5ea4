package io.roomcast.core.testing;

import com.google.protobuf.ByteString;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * A {@link RoomContext} for testing a {@link Room}'s rules without a runtime: the test seats
 * players, steps ticks and chooses the random source, and reads back what the room sent,
 * kicked or closed.
 *
 * <p>Threading: not thread-safe; use it on the test's thread.
 */
public final class FakeRoomContext implements RoomContext {

    /** An event the room sent; {@code to} is null for a broadcast. */
    public record Sent(Player to, String name, ByteString payload) {}

    public record Kick(Player player, String reason) {}

    private final double tickSeconds;
    private final RandomGenerator random;
    private final List<Player> players = new ArrayList<>();
    private final Map<String, Long> lastInputSeqs = new HashMap<>();
    private final List<Sent> sent = new ArrayList<>();
    private final List<Kick> kicks = new ArrayList<>();
    private long tick;
    private long nowMillis = FakeClock.DEFAULT_START_MILLIS;
    private boolean closeRequested;
    private Map<String, String> options = Map.of();

    public FakeRoomContext(int tickRateHz, RandomGenerator random) {
        this.tickSeconds = 1.0 / tickRateHz;
        this.random = random;
    }

    /** The room's creation options from now on (what {@link #options()} returns). */
    public FakeRoomContext withOptions(Map<String, String> options) {
        this.options = Collections.unmodifiableMap(new TreeMap<>(options));
        return this;
    }

    /** Seats the player (the test picks the seat) and calls the room's {@code onJoin}. */
    public Player join(Room<?> room, String playerId, String name, int seat) {
        Player player = new Player(playerId, name, seat);
        players.add(player);
        players.sort((a, b) -> Integer.compare(a.seat(), b.seat()));
        room.onJoin(this, player);
        return player;
    }

    /** Hands the room an input with the next seq of that player, as a runtime would. */
    public <I> void input(Room<I> room, Player player, I input) {
        lastInputSeqs.merge(player.id(), 1L, Long::sum);
        room.onInput(this, player, input);
    }

    /** Advances the tick number and the time by one step and runs the room's {@code onTick}. */
    public void step(Room<?> room) {
        tick++;
        nowMillis += Math.round(tickSeconds * 1000);
        room.onTick(this);
    }

    @Override
    public String roomId() {
        return "test-room";
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public long tick() {
        return tick;
    }

    @Override
    public double tickSeconds() {
        return tickSeconds;
    }

    @Override
    public long nowMillis() {
        return nowMillis;
    }

    @Override
    public List<Player> players() {
        return Collections.unmodifiableList(players);
    }

    @Override
    public long lastInputSeq(Player player) {
        return lastInputSeqs.getOrDefault(player.id(), 0L);
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public void broadcast(String name, ByteString payload) {
        sent.add(new Sent(null, name, payload));
    }

    @Override
    public void send(Player to, String name, ByteString payload) {
        sent.add(new Sent(to, name, payload));
    }

    @Override
    public void kick(Player player, String reason) {
        kicks.add(new Kick(player, reason));
    }

    @Override
    public void close() {
        closeRequested = true;
    }

    public List<Sent> sent() {
        return sent;
    }

    public List<Kick> kicks() {
        return kicks;
    }

    public boolean isCloseRequested() {
        return closeRequested;
    }
}
