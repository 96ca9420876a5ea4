package io.roomcast.games.broadcast;

import com.google.protobuf.Empty;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomContext;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.room.StateWriter;

/**
 * "Bench broadcast", the W1 benchmark room (room broadcast fan-out): no inputs, no state
 * entities. It exists so that what its members emit to the room is relayed to every other
 * member by the framework's default {@link Room#onEvent} relay. It ticks once a second only
 * because every room ticks: each tick sends an empty state.
 *
 * <p>Up to 10 000 seats; a node's {@code --max-players-per-room} (default 64) still caps
 * them, so a W1 run sets it. Threading: a {@link Room}: called on the room's thread only.
 */
public final class BroadcastRoom implements Room<Empty> {

    public static final int MAX_PLAYERS = 10_000;
    public static final int TICK_RATE_HZ = 1;

    public static final RoomType<Empty> TYPE = new RoomType<>("bench-broadcast", BroadcastRoom::new,
            Empty.parser(), RoomSettings.DEFAULTS.withMaxPlayers(MAX_PLAYERS).withTickRateHz(TICK_RATE_HZ));

    @Override
    public void onJoin(RoomContext ctx, Player player) {}

    @Override
    public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {}

    /** No entities: the states are empty; the room's traffic is its relayed events. */
    @Override
    public void writeState(StateWriter out) {}
}
