package io.roomcast.core.room;

import com.google.protobuf.ByteString;

import java.util.Map;

/**
 * A game's rules for one room: what a game author implements.
 *
 * <p>Threading: the framework calls every method of one room from one thread at a time (the
 * room's executor), so a room needs no locks and must not start threads, block, or sleep. The
 * framework owns the clock and the tick: {@link #onTick} is called at the room's fixed rate
 * with a fixed step ({@link RoomContext#tickSeconds()}).
 *
 * <p>Order of calls: {@link #onCreate} once (or {@link #onRestore}, in a room taken over from
 * another node); then, interleaved, {@link #onJoinAttempt} (+ {@link #onJoin} when admitted),
 * {@link #onInput}, {@link #onEvent}, {@link #onLeave}, and once per tick {@link #onTick}
 * followed by {@link #writeState}; finally {@link #onDispose}.
 *
 * @param <I> the decoded type of this game's input payload (see {@link RoomType#inputParser()})
 */
public interface Room<I> {

    /** Called once, before the first tick and before any player joins. */
    default void onCreate(RoomContext ctx) {}

    /**
     * Called instead of {@link #onCreate} when this node takes the room over from another (one
     * that died or is shutting down) and carries on from the room's last snapshot. The
     * snapshot's players are already seated ({@link RoomContext#players()}, with their
     * {@link RoomContext#lastInputSeq last input seqs}; no {@link #onJoinAttempt} or
     * {@link #onJoin} for them), and {@link RoomContext#tick()} is the snapshot's tick. Rebuild
     * the state from {@code entities}: what {@link #writeState} wrote for the snapshot, by id, in
     * the order written. The next state sent is a keyframe.
     *
     * <p>The default cannot read the entities: it calls {@link #onCreate}, then {@link #onJoin}
     * for each seated player, so the room lives on with the same players but a fresh state.
     */
    default void onRestore(RoomContext ctx, Map<Integer, ByteString> entities) {
        onCreate(ctx);
        for (Player player : ctx.players()) {
            onJoin(ctx, player);
        }
    }

    /**
     * Admission: may this player take a seat? Called before {@link #onJoin}; the framework has
     * already checked the room's seat limit. Return {@link Admission#reject(String)} to refuse
     * (the client gets {@code JOIN_REJECTED} with the reason).
     */
    default Admission onJoinAttempt(RoomContext ctx, Player player) {
        return Admission.accept();
    }

    /** The player now holds a seat and receives the room's states and events. */
    void onJoin(RoomContext ctx, Player player);

    /** The player no longer holds a seat (left, kicked, seat grace expired, or room closing). */
    void onLeave(RoomContext ctx, Player player, LeaveCause cause);

    /**
     * One input of a player, applied at the start of the next tick, in arrival order. Inputs
     * whose sequence number is not above the player's last applied one never reach here. A
     * turn-based game whose moves are events can leave it out.
     */
    default void onInput(RoomContext ctx, Player player, I input) {}

    /**
     * Advance the simulation by one fixed step of {@link RoomContext#tickSeconds()}. A game that
     * changes only on events can leave it out: the tick then just publishes the state.
     */
    default void onTick(RoomContext ctx) {}

    /**
     * Describe the whole current state as entities. Called once per tick after {@link #onTick};
     * the framework diffs it against the previous tick and sends deltas and keyframes.
     */
    void writeState(StateWriter out);

    /**
     * A player emitted an event to the room or to one player of the room. The default relays
     * it; a room can consume it (act on it without relaying) or reject it.
     *
     * @param to the addressee, or {@code null} for the whole room
     */
    default EventDecision onEvent(RoomContext ctx, Player from, Player to, String name, ByteString payload) {
        return EventDecision.relay();
    }

    /** Called once when the room closes; no more calls follow. */
    default void onDispose(RoomContext ctx) {}
}
