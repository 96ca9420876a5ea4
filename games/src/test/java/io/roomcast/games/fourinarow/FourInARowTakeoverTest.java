package io.roomcast.games.fourinarow;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.runtime.EmitResult;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.core.testing.FakeNode;
import io.roomcast.core.testing.RecordingRoomOutput;
import io.roomcast.proto.cluster.RoomSnapshot;
import io.roomcast.proto.games.fourinarow.Board;
import io.roomcast.proto.games.fourinarow.Drop;
import io.roomcast.proto.games.fourinarow.Phase;
import io.roomcast.proto.games.fourinarow.RoundOver;
import io.roomcast.proto.games.fourinarow.RoundStart;
import io.roomcast.proto.games.fourinarow.Seat;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four in a Row taken over by another node from a snapshot: the round, the board, the seats and
 * the event log go on where the first node left them. Alice holds seat 0, Bob seat 1.
 */
class FourInARowTakeoverTest {

    private static final String ALICE = "alice";
    private static final String BOB = "bob";

    private final FakeNode<Empty> first = FakeNode.withNewRoom("table", FourInARowRoom.TYPE, 1L);

    FourInARowTakeoverTest() {
        first.runtime().join(ALICE, "Alice");
        first.runtime().join(BOB, "Bob");
    }

    @Test
    void aRoundInProgressGoesOnAfterATakeover() throws InvalidProtocolBufferException {
        RoomRuntime<Empty> runtime = first.runtime();
        ready(runtime);
        play(runtime, 0, 0, 1, 1, 2, 2, 3);                              // round 1: four across for Alice
        emit(runtime, ALICE, "chat", ByteString.copyFromUtf8("again?"));
        ready(runtime);
        play(runtime, 3, 0, 4, 0, 5);                                    // round 2, Bob first: three across
        first.ticks(3);
        RoomSnapshot snapshot = runtime.snapshot();

        FakeNode<Empty> second = FakeNode.takingOver(snapshot, FourInARowRoom.TYPE, 2L);
        RoomRuntime<Empty> restored = second.runtime();

        assertEquals(snapshot, restored.snapshot(), "the state, seats and event log as saved");
        Board board = board(restored);
        assertEquals(List.of(Phase.PLAYING, 2, 0, 0),
                List.of(board.getPhase(), board.getRound(), board.getTurnSeat(), board.getLastWinnerSeat()));
        assertEquals(Seat.newBuilder().setSeat(0).setName("Alice").setWins(1).build(), seat(restored, 0));
        assertEquals(EmitResult.failed(ErrorCode.EVENT_REJECTED, "not your turn"), drop(restored, BOB, 6));
        assertEquals(EmitResult.OK, drop(restored, ALICE, 1));
        assertEquals(EmitResult.OK, drop(restored, BOB, 6));           // 3, 4, 5 and 6: Bob wins

        Event roundOver = second.output().roomEvents().getLast();
        assertEquals("round-over", roundOver.getName());
        assertEquals(RoundOver.newBuilder().setWinnerSeat(1).build(), RoundOver.parseFrom(roundOver.getPayload()));
        assertEquals(snapshot.getLastEventOffset() + 1, roundOver.getOffset());
        assertEquals(List.of(1, 1), List.of(seat(restored, 0).getWins(), seat(restored, 1).getWins()));
        assertEquals(snapshot.getRecentEventsList(),
                restored.eventsAfter(0).subList(0, 4).stream().map(ByteString::copyFrom).toList(),
                "round-start, round-over, chat, round-start: still there to replay");
        second.ticks(1);
        State state = second.output().roomStates().getFirst();
        assertEquals(snapshot.getTick() + 1, state.getTick());
        assertTrue(state.getKeyframe());
    }

    @Test
    void theModeOfTheRoomSurvivesATakeover() throws InvalidProtocolBufferException {
        FakeNode<Empty> ranked = FakeNode.withNewRoom("ranked-table", FourInARowRoom.TYPE, 1L,
                Map.of(FourInARowRoom.MODE, "ranked"));
        ranked.runtime().join(ALICE, "Alice");
        RoomSnapshot snapshot = ranked.runtime().snapshot();

        RoomRuntime<Empty> restored = FakeNode.takingOver(snapshot, FourInARowRoom.TYPE, 2L).runtime();

        assertEquals("ranked", board(restored).getMode());
        assertEquals(Map.of(FourInARowRoom.MODE, "ranked"), restored.options());
    }

    @Test
    void aPlayerReadyBeforeATakeoverIsStillReadyAfterIt() throws InvalidProtocolBufferException {
        emit(first.runtime(), ALICE, "ready", ByteString.EMPTY);
        RoomSnapshot snapshot = first.runtime().snapshot();

        RoomRuntime<Empty> restored = FakeNode.takingOver(snapshot, FourInARowRoom.TYPE, 2L).runtime();
        assertTrue(seat(restored, 0).getReady());
        emit(restored, BOB, "ready", ByteString.EMPTY);

        assertEquals(Phase.PLAYING, board(restored).getPhase(), "both ready: the round starts");
        List<byte[]> events = restored.eventsAfter(0);
        assertEquals(1, events.size());
        Event roundStart = RecordingRoomOutput.decode(events.getFirst()).getEvent();
        assertEquals(1, roundStart.getOffset());
        assertEquals(RoundStart.newBuilder().setFirstSeat(0).setRound(1).build(),
                RoundStart.parseFrom(roundStart.getPayload()));
    }

    /** Both players get ready: a round starts. */
    private static void ready(RoomRuntime<Empty> runtime) {
        emit(runtime, ALICE, "ready", ByteString.EMPTY);
        emit(runtime, BOB, "ready", ByteString.EMPTY);
    }

    /** Drops in these columns, each by whoever's turn it is. */
    private static void play(RoomRuntime<Empty> runtime, int... columns) throws InvalidProtocolBufferException {
        for (int column : columns) {
            assertEquals(EmitResult.OK, drop(runtime, board(runtime).getTurnSeat() == 0 ? ALICE : BOB, column));
        }
    }

    private static EmitResult drop(RoomRuntime<Empty> runtime, String playerId, int column) {
        return runtime.emit(playerId, "drop", Drop.newBuilder().setColumn(column).build().toByteString(), null);
    }

    private static void emit(RoomRuntime<Empty> runtime, String playerId, String name, ByteString payload) {
        EmitResult result = runtime.emit(playerId, name, payload, null);
        assertTrue(result.ok(), "accepted: " + result);
    }

    private static Board board(RoomRuntime<Empty> runtime) throws InvalidProtocolBufferException {
        return Board.parseFrom(entity(runtime, FourInARowRoom.BOARD_ID));
    }

    private static Seat seat(RoomRuntime<Empty> runtime, int seat) throws InvalidProtocolBufferException {
        return Seat.parseFrom(entity(runtime, FourInARowRoom.SEAT_ID_BASE + seat));
    }

    /** The entity's bytes as the room writes them now. */
    private static ByteString entity(RoomRuntime<Empty> runtime, int id) {
        return runtime.snapshot().getEntitiesList().stream().filter(entity -> entity.getId() == id)
                .map(Entity::getData).findFirst().orElseThrow(() -> new AssertionError("no entity " + id));
    }
}
