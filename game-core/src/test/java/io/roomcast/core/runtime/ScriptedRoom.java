package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import io.roomcast.core.room.Admission;
import io.roomcast.core.room.EventDecision;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomContext;
import io.roomcast.core.room.StateWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A room for runtime tests: records every call as a line of text, and does what the test
 * scripts. Its state is one entity per seat holding the text of that player's latest input.
 */
final class ScriptedRoom implements Room<StringValue> {

    final List<String> calls = new ArrayList<>();
    final Map<Integer, String> latestInputBySeat = new TreeMap<>();
    Function<Player, Admission> admission = player -> Admission.accept();
    Consumer<RoomContext> onTick = ctx -> {};
    EventDecision eventDecision = EventDecision.relay();

    /** The calls recorded so far that start with {@code prefix}. */
    List<String> calls(String prefix) {
        return calls.stream().filter(call -> call.startsWith(prefix)).toList();
    }

    @Override
    public void onCreate(RoomContext ctx) {
        calls.add("create");
    }

    @Override
    public Admission onJoinAttempt(RoomContext ctx, Player player) {
        return admission.apply(player);
    }

    @Override
    public void onJoin(RoomContext ctx, Player player) {
        calls.add("join " + player.id() + "@" + player.seat());
        latestInputBySeat.put(player.seat(), "");
    }

    @Override
    public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {
        calls.add("leave " + player.id() + " " + cause);
        latestInputBySeat.remove(player.seat());
    }

    @Override
    public void onInput(RoomContext ctx, Player player, StringValue input) {
        calls.add("input " + player.id() + " " + input.getValue() + " #" + ctx.lastInputSeq(player));
        latestInputBySeat.put(player.seat(), input.getValue());
    }

    @Override
    public void onTick(RoomContext ctx) {
        calls.add("tick " + ctx.tick());
        onTick.accept(ctx);
    }

    @Override
    public void writeState(StateWriter out) {
        latestInputBySeat.forEach((seat, text) -> out.entity(seat, StringValue.of(text)));
    }

    @Override
    public EventDecision onEvent(RoomContext ctx, Player from, Player to, String name, ByteString payload) {
        calls.add("event " + from.id() + "->" + (to == null ? "room" : to.id()) + " " + name);
        return eventDecision;
    }

    @Override
    public void onDispose(RoomContext ctx) {
        calls.add("dispose");
    }
}
