package io.roomcast.games.fourinarow;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.runtime.EmitResult;
import io.roomcast.core.runtime.JoinResult;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.core.testing.FakeClock;
import io.roomcast.core.testing.FakeScheduler;
import io.roomcast.core.testing.RecordingRoomOutput;
import io.roomcast.core.testing.RecordingRoomOutput.RoomFrame;
import io.roomcast.core.testing.StateAssembler;
import io.roomcast.proto.games.fourinarow.Board;
import io.roomcast.proto.games.fourinarow.Drop;
import io.roomcast.proto.games.fourinarow.Phase;
import io.roomcast.proto.games.fourinarow.RoundOver;
import io.roomcast.proto.games.fourinarow.RoundStart;
import io.roomcast.proto.games.fourinarow.Seat;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four in a Row through a real {@link RoomRuntime} on a fake clock: events go in as a gateway
 * would hand them over, and the assertions read what players would receive (acks, room and
 * direct events, and the state as a client assembles it). Alice takes seat 0 ("X" in the board
 * pictures), Bob seat 1 ("O"); pictures show the top row first.
 */
class FourInARowRoomTest {

    private static final Duration TICK = Duration.ofMillis(100);
    private static final String ALICE = "alice";
    private static final String BOB = "bob";
    private static final List<String> EMPTY_BOARD = List.of(
            ".......",
            ".......",
            ".......",
            ".......",
            ".......",
            ".......");

    private final FakeClock clock = new FakeClock();
    private final FakeScheduler scheduler = new FakeScheduler(clock);
    private final RecordingRoomOutput output = new RecordingRoomOutput();
    private StateAssembler viewer;
    private int statesSeen;
    private RoomRuntime<Empty> runtime = open(FourInARowRoom.TYPE.settings());

    @Test
    void whenBothPlayersAreReadyTheRoundStartsAndSeatZeroIsToldToMove() {
        join(ALICE);
        join(BOB);
        assertAccepted(emit(ALICE, "ready"));
        assertEquals(List.of(), roomEventNames(), "one ready player starts nothing");
        assertTrue(seat(0).getReady());

        assertAccepted(emit(BOB, "ready"));

        assertEquals(List.of("round-start"), roomEventNames());
        assertEquals(RoundStart.newBuilder().setFirstSeat(0).setRound(1).build(), payload(lastRoomEvent(), RoundStart.parser()));
        assertEquals("", lastRoomEvent().getFromPlayer(), "sent by the room");
        assertEquals(List.of("your-turn"), directEventNamesTo(ALICE));
        assertEquals(List.of(), directEventNamesTo(BOB));
        Board board = board();
        assertEquals(Phase.PLAYING, board.getPhase());
        assertEquals(0, board.getTurnSeat());
        assertEquals(1, board.getRound());
        assertEquals(EMPTY_BOARD, rows(board));
        assertFalse(seat(0).getReady() || seat(1).getReady(), "ready flags are spent on the round");
    }

    @Test
    void seatsShowNamesAndReadinessAndUnreadyWithdrawsIt() {
        join(ALICE);
        join(BOB);
        assertAccepted(emit(ALICE, "ready"));
        assertAccepted(emit(ALICE, "unready"));
        assertAccepted(emit(BOB, "ready"));

        assertEquals(Seat.newBuilder().setSeat(0).setName("Alice").build(), seat(0));
        assertEquals(Seat.newBuilder().setSeat(1).setName("Bob").setReady(true).build(), seat(1));
        assertEquals(Phase.LOBBY, board().getPhase());
        assertFalse(board().hasTurnSeat(), "no turn outside a round");
        assertFalse(board().hasLastWinnerSeat());
        assertEquals(List.of(), roomEventNames(), "ready and unready are consumed, not relayed");
    }

    @Test
    void turnsAlternateAndDiscsStackFromTheBottom() {
        startRound();

        assertAccepted(drop(ALICE, 3));
        assertEquals(1, board().getTurnSeat());
        assertEquals(List.of("your-turn"), directEventNamesTo(BOB));
        assertAccepted(drop(BOB, 3));
        assertAccepted(drop(ALICE, 4));

        assertEquals(List.of("your-turn", "your-turn"), directEventNamesTo(ALICE));
        assertEquals(List.of(
                ".......",
                ".......",
                ".......",
                ".......",
                "...O...",
                "...XX.."), rows(board()));
        assertEquals(1, board().getTurnSeat());
        assertEquals(List.of("round-start"), roomEventNames(), "accepted drops are consumed, not relayed");
    }

    @Test
    void aDropBeforeTheRoundIsRejected() {
        join(ALICE);
        join(BOB);

        assertRejected("no round in progress", drop(ALICE, 0));
        assertEquals(EMPTY_BOARD, rows(board()));
    }

    @Test
    void aDropOutOfTurnIsRejected() {
        startRound();

        assertRejected("not your turn", drop(BOB, 0));
        assertAccepted(drop(ALICE, 0));
        assertRejected("not your turn", drop(ALICE, 1));
        assertEquals(List.of("X......"), rows(board()).subList(5, 6));
    }

    @Test
    void aDropIntoAFullColumnIsRejectedAndTheTurnStays() {
        startRound();
        play(2, 2, 2, 2, 2, 2);

        assertRejected("column full", drop(ALICE, 2));
        assertEquals(0, board().getTurnSeat());
        assertAccepted(drop(ALICE, 3));
    }

    @Test
    void aDropOutsideTheBoardOrNotADropIsRejected() {
        startRound();

        assertRejected("column out of range", drop(ALICE, 7));
        assertRejected("column out of range", drop(ALICE, -1));  // uint32 4294967295 on the wire
        assertRejected("payload is not a Drop", emit(ALICE, "drop", ByteString.copyFrom(new byte[] {(byte) 0xFF})));
        assertEquals(EMPTY_BOARD, rows(board()));
    }

    @Test
    void readyDuringARoundAndUnknownEventsAreRejected() {
        startRound();

        assertRejected("a round is in progress", emit(ALICE, "ready"));
        assertRejected("a round is in progress", emit(BOB, "unready"));
        assertRejected("unknown event: round-over", emit(BOB, "round-over", RoundOver.newBuilder().setWinnerSeat(1).build().toByteString()));
        assertEquals(List.of("round-start"), roomEventNames(), "nobody can pose as the room");
    }

    @Test
    void fourAcrossWins() {
        startRound();
        play(0, 0, 1, 1, 2, 2, 3);

        assertRoundWonBy(0);
        assertEquals(List.of(
                ".......",
                ".......",
                ".......",
                ".......",
                "OOO....",
                "XXXX..."), rows(board()));
    }

    @Test
    void fourUpWins() {
        startRound();
        play(0, 1, 0, 1, 2, 1, 0, 1);

        assertRoundWonBy(1);
        assertEquals(List.of(
                ".......",
                ".......",
                ".O.....",
                "XO.....",
                "XO.....",
                "XOX...."), rows(board()));
    }

    @Test
    void fourOnARisingDiagonalWins() {
        startRound();
        play(0, 1, 1, 2, 2, 3, 2, 3, 3, 5, 3);

        assertRoundWonBy(0);
        assertEquals(List.of(
                ".......",
                ".......",
                "...X...",
                "..XX...",
                ".XXO...",
                "XOOO.O."), rows(board()));
    }

    @Test
    void fourOnAFallingDiagonalWins() {
        startRound();
        play(6, 5, 5, 4, 4, 3, 4, 3, 3, 1, 3);

        assertRoundWonBy(0);
        assertEquals(List.of(
                ".......",
                ".......",
                "...X...",
                "...XX..",
                "...OXX.",
                ".O.OOOX"), rows(board()));
    }

    @Test
    void threeInARowIsNotAWin() {
        startRound();
        play(0, 6, 1, 6, 2);

        assertEquals(Phase.PLAYING, board().getPhase());
        assertEquals(List.of("round-start"), roomEventNames());
    }

    @Test
    void aFullBoardWithoutFourInARowIsADraw() {
        startRound();
        for (int pair = 0; pair < 6; pair += 2) {
            int left = pair;
            int right = pair + 1;
            play(left, right, left, right, left, right, right, left, right, left, right, left);
        }
        play(6, 6, 6, 6, 6, 6);

        assertEquals(List.of(
                "OXOXOXO",
                "OXOXOXX",
                "OXOXOXO",
                "XOXOXOX",
                "XOXOXOO",
                "XOXOXOX"), rows(board()));
        assertEquals(RoundOver.newBuilder().setDraw(true).build(), payload(lastRoomEvent(), RoundOver.parser()));
        assertFalse(lastRoundOver().hasWinnerSeat());
        Board board = board();
        assertEquals(Phase.ROUND_OVER, board.getPhase());
        assertFalse(board.hasLastWinnerSeat());
        assertFalse(board.hasTurnSeat());
        assertEquals(List.of(0, 0), List.of(seat(0).getWins(), seat(1).getWins()));
    }

    @Test
    void aWholeRoundPlaysToAWinAndTheWinnerScores() {
        startRound();
        int[] moves = {3, 2, 4, 5, 3, 3, 4, 4, 2, 5, 1, 6, 1};
        for (int i = 0; i < moves.length; i++) {
            String mover = i % 2 == 0 ? ALICE : BOB;
            assertEquals(i % 2, board().getTurnSeat(), "before move " + i);
            assertAccepted(drop(mover, moves[i]));
            boolean last = i == moves.length - 1;
            assertEquals(last ? Phase.ROUND_OVER : Phase.PLAYING, board().getPhase(), "after move " + i);
        }

        assertEquals(List.of(
                ".......",
                ".......",
                ".......",
                "...OO..",
                ".XXXXO.",
                ".XOXXOO"), rows(board()));
        assertEquals(List.of("round-start", "round-over"), roomEventNames());
        assertEquals(7, directEventNamesTo(ALICE).size(), "at the start and after each of Bob's 6 moves");
        assertEquals(6, directEventNamesTo(BOB).size(), "after each of Alice's moves but the winning one");
        assertRoundWonBy(0);
        assertRejected("no round in progress", drop(BOB, 0));
    }

    @Test
    void theStartingSeatAlternatesBetweenRounds() {
        startRound();
        play(0, 0, 1, 1, 2, 2, 3);
        forgetSent();

        assertAccepted(emit(BOB, "ready"));
        assertAccepted(emit(ALICE, "ready"));

        assertEquals(RoundStart.newBuilder().setFirstSeat(1).setRound(2).build(), payload(lastRoomEvent(), RoundStart.parser()));
        assertEquals(List.of("your-turn"), directEventNamesTo(BOB));
        assertEquals(List.of(), directEventNamesTo(ALICE));
        Board board = board();
        assertEquals(List.of(Phase.PLAYING, 1, 2), List.of(board.getPhase(), board.getTurnSeat(), board.getRound()));
        assertEquals(EMPTY_BOARD, rows(board), "the board is cleared");
        assertEquals(0, board.getLastWinnerSeat(), "the last winner stays shown");
        assertRejected("not your turn", drop(ALICE, 0));

        play(0, 0, 1, 1, 2, 2, 3);                                           // Bob wins round 2
        assertAccepted(emit(ALICE, "ready"));
        assertAccepted(emit(BOB, "ready"));
        assertEquals(RoundStart.newBuilder().setFirstSeat(0).setRound(3).build(), payload(lastRoomEvent(), RoundStart.parser()));
        assertEquals(List.of(1, 1), List.of(seat(0).getWins(), seat(1).getWins()));
    }

    @Test
    void theBoardShowsTheModeTheRoomWasCreatedWithAndQuickJoinFiltersByIt() {
        assertEquals(List.of(FourInARowRoom.MODE), FourInARowRoom.TYPE.filterBy());
        join(ALICE);
        assertEquals("", board().getMode(), "created without options");

        runtime = open(FourInARowRoom.TYPE.settings(), Map.of(FourInARowRoom.MODE, "ranked", "colour", "red"));
        join(ALICE);
        assertEquals("ranked", board().getMode());
        startRoundAfterAlice();
        play(0, 1, 0, 1, 0, 1, 0);
        assertEquals("ranked", board().getMode(), "for the whole life of the room");
    }

    @Test
    void aJoinDuringARoundIsRejected() {
        // With the game's own 2 seats the framework answers ROOM_FULL first: both are taken mid-round.
        runtime = open(FourInARowRoom.TYPE.settings().withMaxPlayers(3));
        startRound();

        assertEquals(new JoinResult.Refused(ErrorCode.JOIN_REJECTED, "a round is in progress"), runtime.join("carol", "Carol"));
    }

    @Test
    void aThirdSeatIsRejectedEvenIfTheOperatorAllowsMorePlayers() {
        runtime = open(FourInARowRoom.TYPE.settings().withMaxPlayers(3));
        join(ALICE);
        join(BOB);

        assertEquals(new JoinResult.Refused(ErrorCode.JOIN_REJECTED, "the game has 2 seats"), runtime.join("carol", "Carol"));
    }

    @Test
    void leavingMidRoundForfeitsTheRoundToTheOtherPlayer() {
        startRound();
        play(3, 3);

        runtime.leave(ALICE, LeaveCause.REQUESTED);

        assertEquals(RoundOver.newBuilder().setWinnerSeat(1).setForfeit(true).build(), lastRoundOver());
        Board board = board();
        assertEquals(Phase.LOBBY, board.getPhase());
        assertEquals(1, board.getLastWinnerSeat());
        assertFalse(board.hasTurnSeat());
        assertEquals(Seat.newBuilder().setSeat(1).setName("Bob").setWins(1).build(), seat(1));
        assertFalse(entities().containsKey(FourInARowRoom.SEAT_ID_BASE), "Alice's seat is gone");
        assertInstanceOf(JoinResult.Seated.class, runtime.join("carol", "Carol"), "the lobby is open again");
    }

    @Test
    void leavingAfterTheRoundReturnsToTheLobbyWithNobodyReady() {
        startRound();
        play(0, 0, 1, 1, 2, 2, 3);
        assertAccepted(emit(BOB, "ready"));

        runtime.leave(ALICE, LeaveCause.SEAT_EXPIRED);

        assertEquals(Phase.LOBBY, board().getPhase());
        assertFalse(seat(1).getReady());
        assertEquals(List.of("round-start", "round-over"), roomEventNames(), "no forfeit after the round");
    }

    @Test
    void closingTheRoomMidRoundDeclaresNoForfeit() {
        startRound();

        runtime.close();

        assertEquals(List.of("round-start"), roomEventNames());
    }

    @Test
    void chatIsRelayedToTheOtherPlayerOnly() {
        join(ALICE);
        join(BOB);

        assertAccepted(emit(ALICE, "chat", utf8("good luck")));
        assertAccepted(runtime.emit(BOB, "chat", utf8("psst"), ALICE));

        RoomFrame toRoom = output.roomFrames().stream().filter(f -> f.frame().hasEvent()).findFirst().orElseThrow();
        assertEquals(ALICE, toRoom.exceptPlayerId(), "not echoed to the sender");
        assertEquals(List.of(ALICE, "chat", "good luck"), describe(toRoom.frame().getEvent()));
        List<Event> toAlice = directEventsTo(ALICE);
        assertEquals(1, toAlice.size());
        assertEquals(List.of(BOB, "chat", "psst"), describe(toAlice.getFirst()));
        assertEquals(List.of(), directEventsTo(BOB));
    }

    @Test
    void emptyOversizeOrNonTextChatIsRejected() {
        join(ALICE);
        join(BOB);

        assertRejected("chat is empty", emit(ALICE, "chat"));
        assertRejected("chat is over 200 bytes", emit(ALICE, "chat", utf8("é".repeat(100) + "!")));
        assertRejected("chat is not UTF-8 text", emit(ALICE, "chat", ByteString.copyFrom(new byte[] {(byte) 0xC3})));
        assertAccepted(emit(ALICE, "chat", utf8("é".repeat(100))));
        assertEquals(List.of("chat"), roomEventNames());
    }

    // ─────────────────────────────────── helpers ───────────────────────────────────

    private RoomRuntime<Empty> open(RoomSettings settings) {
        return open(settings, Map.of());
    }

    private RoomRuntime<Empty> open(RoomSettings settings, Map<String, String> options) {
        if (runtime != null) {
            runtime.close();
        }
        viewer = new StateAssembler();
        forgetSent();
        RoomRuntime<Empty> opened = new RoomRuntime<>("table", FourInARowRoom.TYPE, settings, clock, scheduler, output, 1L,
                options, 1);
        opened.start();
        return opened;
    }

    private void join(String playerId) {
        String name = Character.toUpperCase(playerId.charAt(0)) + playerId.substring(1);
        JoinResult.Seated seated = assertInstanceOf(JoinResult.Seated.class, runtime.join(playerId, name));
        if (!viewer.hasBase()) {  // the view of the first player in, from the keyframe in its Joined
            viewer.apply(RecordingRoomOutput.decode(seated.joinedFrame()).getJoined().getKeyframe());
        }
    }

    /** Alice and Bob sit down and get ready: the first round starts, Alice to move. */
    private void startRound() {
        join(ALICE);
        startRoundAfterAlice();
    }

    /** Alice sits already: Bob sits down and both get ready. */
    private void startRoundAfterAlice() {
        join(BOB);
        assertAccepted(emit(ALICE, "ready"));
        assertAccepted(emit(BOB, "ready"));
        assertEquals(Phase.PLAYING, board().getPhase());
    }

    /** Drops in these columns, each by whoever's turn it is. */
    private void play(int... columns) {
        for (int column : columns) {
            String mover = board().getTurnSeat() == 0 ? ALICE : BOB;
            assertAccepted(drop(mover, column));
        }
    }

    private EmitResult drop(String playerId, int column) {
        return emit(playerId, "drop", Drop.newBuilder().setColumn(column).build().toByteString());
    }

    private EmitResult emit(String playerId, String name) {
        return emit(playerId, name, ByteString.EMPTY);
    }

    private EmitResult emit(String playerId, String name, ByteString payload) {
        return runtime.emit(playerId, name, payload, null);
    }

    private static void assertAccepted(EmitResult result) {
        assertTrue(result.ok(), "accepted: " + result);
    }

    private static void assertRejected(String reason, EmitResult result) {
        assertEquals(EmitResult.failed(ErrorCode.EVENT_REJECTED, reason), result);
    }

    private void assertRoundWonBy(int seat) {
        assertEquals(RoundOver.newBuilder().setWinnerSeat(seat).build(), lastRoundOver());
        Board board = board();
        assertEquals(Phase.ROUND_OVER, board.getPhase());
        assertEquals(seat, board.getLastWinnerSeat());
        assertFalse(board.hasTurnSeat());
        assertEquals(1, seat(seat).getWins());
        assertEquals(0, seat(1 - seat).getWins());
    }

    /** Forgets the frames sent so far (the client's view of the state stays). */
    private void forgetSent() {
        output.clear();
        statesSeen = 0;
    }

    /** The state as a client holds it after the next tick. */
    private Map<Integer, ByteString> entities() {
        scheduler.advance(TICK);
        List<State> states = output.roomStates();
        for (State state : states.subList(statesSeen, states.size())) {
            assertTrue(viewer.apply(state), "tick " + state.getTick());
        }
        statesSeen = states.size();
        return viewer.entities();
    }

    private Board board() {
        return parse(entities().get(FourInARowRoom.BOARD_ID), Board.parser());
    }

    private Seat seat(int seat) {
        return parse(entities().get(FourInARowRoom.SEAT_ID_BASE + seat), Seat.parser());
    }

    /** The board as text, top row first: '.' empty, 'X' seat 0, 'O' seat 1. */
    private static List<String> rows(Board board) {
        assertEquals(FourInARowRoom.COLUMNS * FourInARowRoom.ROWS, board.getCellsCount());
        List<String> rows = new ArrayList<>();
        for (int row = FourInARowRoom.ROWS - 1; row >= 0; row--) {
            StringBuilder text = new StringBuilder();
            for (int column = 0; column < FourInARowRoom.COLUMNS; column++) {
                text.append(".XO".charAt(board.getCells(row * FourInARowRoom.COLUMNS + column)));
            }
            rows.add(text.toString());
        }
        return rows;
    }

    private List<String> roomEventNames() {
        return output.roomEvents().stream().map(Event::getName).toList();
    }

    private Event lastRoomEvent() {
        return output.roomEvents().getLast();
    }

    private RoundOver lastRoundOver() {
        Event event = lastRoomEvent();
        assertEquals("round-over", event.getName());
        return payload(event, RoundOver.parser());
    }

    private List<Event> directEventsTo(String playerId) {
        List<Event> events = output.framesTo(playerId).stream().filter(ServerFrame::hasEvent).map(ServerFrame::getEvent).toList();
        events.forEach(event -> assertTrue(event.getDirect(), event.toString()));
        return events;
    }

    private List<String> directEventNamesTo(String playerId) {
        return directEventsTo(playerId).stream().map(Event::getName).toList();
    }

    private static List<String> describe(Event event) {
        return List.of(event.getFromPlayer(), event.getName(), event.getPayload().toStringUtf8());
    }

    private static ByteString utf8(String text) {
        return ByteString.copyFrom(text, StandardCharsets.UTF_8);
    }

    private static <T> T payload(Event event, com.google.protobuf.Parser<T> parser) {
        return parse(event.getPayload(), parser);
    }

    private static <T> T parse(ByteString bytes, com.google.protobuf.Parser<T> parser) {
        try {
            return parser.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
