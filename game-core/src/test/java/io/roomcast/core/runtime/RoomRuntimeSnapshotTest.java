package io.roomcast.core.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomContext;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.room.StateWriter;
import io.roomcast.core.testing.FakeClock;
import io.roomcast.core.testing.FakeNode;
import io.roomcast.core.testing.FakeScheduler;
import io.roomcast.core.testing.RecordingRoomOutput;
import io.roomcast.core.testing.StateAssembler;
import io.roomcast.proto.cluster.RoomSnapshot;
import io.roomcast.proto.cluster.SeatSnapshot;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.SeatInput;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A room saved by one node and taken over by another: what the snapshot holds, and how the
 * runtime that restores it carries on (seats, input seqs, tick numbers, event log).
 */
class RoomRuntimeSnapshotTest {

    /** 3 seats, 20 Hz, a keyframe every 100 ticks, 4 queued inputs, 3 logged events. */
    private static final RoomSettings SETTINGS = new RoomSettings(3, 20, 100, 4, 3, 5);

    private final ScriptedRoom room = new ScriptedRoom();
    private final FakeNode<StringValue> node = FakeNode.withNewRoom("room-1", scripted(room, SETTINGS), 1L);
    private final ScriptedRoom takenOver = new ScriptedRoom();

    private static RoomType<StringValue> scripted(Room<StringValue> room, RoomSettings settings) {
        return new RoomType<>("scripted", () -> room, StringValue.parser(), settings);
    }

    private static ByteString text(String text) {
        return StringValue.of(text).toByteString();
    }

    private static Entity entity(int id, String text) {
        return Entity.newBuilder().setId(id).setData(text(text)).build();
    }

    private static SeatInput applied(int seat, int seq) {
        return SeatInput.newBuilder().setSeat(seat).setSeq(seq).build();
    }

    private static List<Long> offsets(List<byte[]> eventFrames) {
        return eventFrames.stream().map(f -> RecordingRoomOutput.decode(f).getEvent().getOffset()).toList();
    }

    /**
     * Twelve ticks of play, then a snapshot: Alice (seat 0, last input seq 7) and Carol (seat 2,
     * seq 3) are seated, Bob left seat 1, and four events were logged (the log keeps 3).
     */
    private RoomSnapshot played() {
        RoomRuntime<StringValue> runtime = node.runtime();
        runtime.join("alice", "Alice");
        runtime.join("bob", "Bob");
        runtime.join("carol", "Carol");
        runtime.offerInput("alice", 7, text("a7"));
        runtime.offerInput("carol", 3, text("c3"));
        node.ticks(5);
        for (int i = 1; i <= 4; i++) {
            runtime.emit("alice", "n", text(String.valueOf(i)), null);
        }
        runtime.leave("bob", LeaveCause.REQUESTED);
        node.ticks(7);
        return runtime.snapshot();
    }

    private FakeNode<StringValue> takeOver(RoomSnapshot snapshot) {
        return FakeNode.takingOver(snapshot, scripted(takenOver, SETTINGS), 2L);
    }

    @Test
    void aSnapshotHoldsTheStateTheSeatsAndTheEventLogBetweenTicks() {
        RoomSnapshot snapshot = played();

        assertEquals("room-1", snapshot.getRoomId());
        assertEquals("scripted", snapshot.getGameType());
        assertEquals(12, snapshot.getTick());
        assertEquals(List.of(entity(0, "a7"), entity(2, "c3")), snapshot.getEntitiesList());
        assertEquals(List.of(
                SeatSnapshot.newBuilder().setPlayerId("alice").setName("Alice").setSeat(0).setLastInputSeq(7).build(),
                SeatSnapshot.newBuilder().setPlayerId("carol").setName("Carol").setSeat(2).setLastInputSeq(3).build()),
                snapshot.getSeatsList());
        assertEquals(4, snapshot.getLastEventOffset());
        List<ByteString> sentEvents = node.output().roomFrames().stream()
                .filter(f -> f.frame().hasEvent()).map(f -> ByteString.copyFrom(f.bytes())).toList();
        assertEquals(sentEvents.subList(1, 4), snapshot.getRecentEventsList(), "the 3 the log keeps, as sent");
    }

    @Test
    void takingASnapshotLeavesTheNextDeltaAsItWas() {
        RoomRuntime<StringValue> runtime = node.runtime();
        runtime.join("alice", "Alice");
        runtime.join("bob", "Bob");
        StateAssembler viewer = new StateAssembler();
        viewer.apply(RecordingRoomOutput.decode(runtime.rejoinFrame("alice")).getJoined().getKeyframe());
        runtime.offerInput("alice", 1, text("a"));
        node.ticks(1);

        runtime.snapshot();
        runtime.offerInput("bob", 1, text("b"));
        node.ticks(1);

        State delta = node.output().roomStates().getLast();
        assertFalse(delta.getKeyframe());
        assertEquals(List.of(entity(1, "b")), delta.getEntitiesList(), "only what changed since the last tick");
        for (State state : node.output().roomStates()) {
            assertTrue(viewer.apply(state), "tick " + state.getTick());
        }
        assertEquals(Map.of(0, text("a"), 1, text("b")), viewer.entities());
    }

    @Test
    void aRestoredRoomGoesOnWithTheNextTickNumberAndAKeyframe() {
        RoomSnapshot snapshot = played();

        FakeNode<StringValue> next = takeOver(snapshot);
        assertEquals(12, next.runtime().tick());
        next.ticks(2);

        List<State> states = next.output().roomStates();
        assertEquals(List.of(13L, 14L), states.stream().map(State::getTick).toList());
        assertTrue(states.get(0).getKeyframe(), "viewers of the old owner cannot apply a delta");
        assertFalse(states.get(1).getKeyframe());
        assertEquals(List.of("tick 13", "tick 14"), takenOver.calls("tick"));
    }

    @Test
    void restoredPlayersKeepTheirSeatsAndTheirLastInputSeqs() {
        FakeNode<StringValue> next = takeOver(played());
        RoomRuntime<StringValue> runtime = next.runtime();

        assertEquals(2, runtime.playerCount());
        assertTrue(runtime.isSeated("alice") && runtime.isSeated("carol"));
        assertFalse(runtime.isSeated("bob"));
        runtime.offerInput("alice", 7, text("old"));
        runtime.offerInput("alice", 8, text("new"));
        runtime.offerInput("carol", 3, text("old"));
        next.ticks(1);

        assertEquals(List.of("input alice new #8"), takenOver.calls("input"));
        assertEquals(2, runtime.discardedInputs());
        assertEquals(List.of(applied(0, 8), applied(2, 3)), next.output().roomStates().getLast().getAppliedList());
        assertEquals(1, assertInstanceOf(JoinResult.Seated.class, runtime.join("dave", "Dave")).player().seat(),
                "Bob's old seat is the free one");
    }

    @Test
    void theEventLogGoesOnFromTheSnapshotsOffset() {
        RoomSnapshot snapshot = played();

        RoomRuntime<StringValue> runtime = takeOver(snapshot).runtime();

        List<byte[]> replayed = runtime.eventsAfter(0);
        assertEquals(snapshot.getRecentEventsList(), replayed.stream().map(ByteString::copyFrom).toList());
        assertEquals(List.of(4L), offsets(runtime.eventsAfter(3)));
        runtime.emit("carol", "n", text("5"), null);
        assertEquals(List.of(3L, 4L, 5L), offsets(runtime.eventsAfter(0)));
        JoinResult.Seated dave = assertInstanceOf(JoinResult.Seated.class, runtime.join("dave", "Dave"));
        assertEquals(5, RecordingRoomOutput.decode(dave.joinedFrame()).getJoined().getLastEventOffset());
    }

    @Test
    void aRestoredEventLogKeepsAsManyOfTheRecentEventsAsItsCapacityAllows() {
        RoomSnapshot snapshot = played();

        FakeNode<StringValue> larger = FakeNode.takingOver(snapshot,
                scripted(new ScriptedRoom(), new RoomSettings(3, 20, 100, 4, 10, 5)), 2L);
        FakeNode<StringValue> smaller = FakeNode.takingOver(snapshot,
                scripted(new ScriptedRoom(), new RoomSettings(3, 20, 100, 4, 2, 5)), 2L);

        assertEquals(List.of(2L, 3L, 4L), offsets(larger.runtime().eventsAfter(0)), "no more than were saved");
        assertEquals(List.of(3L, 4L), offsets(smaller.runtime().eventsAfter(0)), "the newest");
    }

    @Test
    void theDefaultOnRestoreCreatesTheRoomAgainAndJoinsEachSeatedPlayer() {
        takenOver.admission = player -> {
            throw new AssertionError("no admission for players seated already: " + player);
        };

        FakeNode<StringValue> next = takeOver(played());

        assertEquals(List.of("create", "join alice@0", "join carol@2"), takenOver.calls);
        next.ticks(1);
        assertEquals(List.of(entity(0, ""), entity(2, "")), next.output().roomStates().getFirst().getEntitiesList(),
                "the same players, a fresh state");
    }

    @Test
    void aRoomThatRestoresGetsTheEntitiesWithThePlayersSeatedAndTheTickOfTheSnapshot() {
        RoomSnapshot snapshot = played();
        List<String> seen = new ArrayList<>();
        Map<Integer, ByteString> given = new LinkedHashMap<>();
        Room<StringValue> restoring = new Room<>() {
            @Override
            public void onRestore(RoomContext ctx, Map<Integer, ByteString> entities) {
                seen.add("tick " + ctx.tick());
                for (Player player : ctx.players()) {
                    seen.add(player.id() + "@" + player.seat() + " #" + ctx.lastInputSeq(player));
                }
                given.putAll(entities);
            }

            @Override
            public void onJoin(RoomContext ctx, Player player) {
                seen.add("join " + player.id());
            }

            @Override
            public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {}

            @Override
            public void writeState(StateWriter out) {}
        };

        FakeNode.takingOver(snapshot, scripted(restoring, SETTINGS), 2L);

        assertEquals(List.of("tick 12", "alice@0 #7", "carol@2 #3"), seen, "no onJoin");
        assertEquals(List.of(0, 2), List.copyOf(given.keySet()), "in the order written");
        assertEquals(Map.of(0, text("a7"), 2, text("c3")), given);
    }

    @Test
    void aSnapshotOfAnotherGameOrRoomIsRefusedAndTheRuntimeLeftAsItWas() {
        RoomSnapshot snapshot = played();
        FakeClock clock = new FakeClock();
        RoomType<StringValue> otherGame = new RoomType<>("other", () -> takenOver, StringValue.parser(), SETTINGS);
        RoomRuntime<StringValue> otherGamesRoom = new RoomRuntime<>("room-1", otherGame, SETTINGS, clock,
                new FakeScheduler(clock), new RecordingRoomOutput(), 2L);
        RoomRuntime<StringValue> otherRoom = new RoomRuntime<>("room-2", scripted(takenOver, SETTINGS), SETTINGS,
                clock, new FakeScheduler(clock), new RecordingRoomOutput(), 2L);

        IllegalArgumentException wrongGame = assertThrows(IllegalArgumentException.class,
                () -> otherGamesRoom.restore(snapshot));
        IllegalArgumentException wrongRoom = assertThrows(IllegalArgumentException.class,
                () -> otherRoom.restore(snapshot));

        assertEquals("a snapshot of scripted room room-1 cannot restore other room room-1", wrongGame.getMessage());
        assertEquals("a snapshot of scripted room room-1 cannot restore scripted room room-2", wrongRoom.getMessage());
        assertEquals(List.of(), takenOver.calls);
        otherGamesRoom.start();
        assertEquals(List.of("create"), takenOver.calls);
    }

    @Test
    void aRunningRoomCannotBeRestored() {
        RoomSnapshot snapshot = played();

        assertThrows(IllegalStateException.class, () -> node.runtime().restore(snapshot));
    }

    @Test
    void theCreationOptionsSurviveATakeover() {
        List<String> seen = new ArrayList<>();
        Room<StringValue> reading = new Room<>() {
            @Override
            public void onRestore(RoomContext ctx, Map<Integer, ByteString> entities) {
                seen.add("restore " + ctx.options());
            }

            @Override
            public void onJoin(RoomContext ctx, Player player) {
                seen.add("join " + ctx.options());
            }

            @Override
            public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {}

            @Override
            public void onTick(RoomContext ctx) {
                seen.add("tick " + ctx.options());
            }

            @Override
            public void writeState(StateWriter out) {}
        };
        FakeNode<StringValue> first = FakeNode.withNewRoom("room-1", scripted(room, SETTINGS), 1L,
                Map.of("mode", "ranked", "region", "eu"));
        first.runtime().join("alice", "Alice");
        first.ticks(3);

        RoomSnapshot snapshot = first.runtime().snapshot();
        assertEquals(Map.of("mode", "ranked", "region", "eu"), snapshot.getOptionsMap());

        FakeNode<StringValue> next = FakeNode.takingOver(snapshot, scripted(reading, SETTINGS), 2L);
        next.runtime().join("bob", "Bob");
        next.ticks(1);

        String expected = "{mode=ranked, region=eu}";
        assertEquals(List.of("restore " + expected, "join " + expected, "tick " + expected), seen);
        assertEquals(Map.of("mode", "ranked", "region", "eu"), next.runtime().options());
        assertEquals(snapshot.getOptionsMap(), next.runtime().snapshot().getOptionsMap(), "and the next snapshot");
    }

    @Test
    void aRoomWithoutOptionsSavesNone() {
        RoomSnapshot snapshot = played();

        assertEquals(Map.of(), snapshot.getOptionsMap());
        assertEquals(Map.of(), takeOver(snapshot).runtime().options());
    }
}
