package io.roomcast.games.fourinarow;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.roomcast.core.room.Admission;
import io.roomcast.core.room.EventDecision;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.room.RoomContext;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.room.StateWriter;
import io.roomcast.proto.games.fourinarow.Board;
import io.roomcast.proto.games.fourinarow.Drop;
import io.roomcast.proto.games.fourinarow.Phase;
import io.roomcast.proto.games.fourinarow.RoundOver;
import io.roomcast.proto.games.fourinarow.RoundStart;
import io.roomcast.proto.games.fourinarow.Seat;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * "Four in a Row": two players take turns dropping discs into a 7 x 6 board; four in a row
 * across, up or diagonally wins the round. Turn-based: every action is a room event (acked,
 * possibly rejected), nothing happens between events, and the tick only publishes the state.
 * The wire contract (entities, event names, payloads) is {@code fourinarow.proto}.
 *
 * <p>Threading: a {@link Room}: called on the room's thread only.
 */
public final class FourInARowRoom implements Room<Empty> {

    public static final int COLUMNS = 7;
    public static final int ROWS = 6;
    public static final int SEATS = 2;
    public static final int MAX_CHAT_BYTES = 200;
    public static final int BOARD_ID = 0;
    /** Seat entity ids are this plus the seat number. */
    public static final int SEAT_ID_BASE = 100;

    /**
     * The creation option players choose a room by, e.g. "ranked" or "casual" (any value; none is
     * ""): quick-join only seats players who asked for the same mode together, and the board shows
     * it. The rules are the same in every mode.
     */
    public static final String MODE = "mode";

    /** No inputs: moves are events. 10 Hz is enough to publish the state; a keyframe every 50. Filtered by mode. */
    public static final RoomType<Empty> TYPE = new RoomType<>("four-in-a-row", FourInARowRoom::new,
            Empty.parser(), RoomSettings.DEFAULTS.withMaxPlayers(SEATS).withTickRateHz(10).withKeyframeEveryTicks(50))
            .withFilterBy(MODE);

    private static final List<Integer> EMPTY_CELLS = Collections.nCopies(COLUMNS * ROWS, 0);
    /** Row and column steps of the four lines through a cell: across, up, and both diagonals. */
    private static final int[][] LINES = {{0, 1}, {1, 0}, {1, 1}, {1, -1}};

    // As in Orb Rush, the state is kept in the wire messages themselves.
    private final Board.Builder board = Board.newBuilder().setPhase(Phase.LOBBY).addAllCells(EMPTY_CELLS);
    private final Map<Integer, Seat.Builder> seats = new TreeMap<>();

    /** The room's mode, from its creation options, on the board for every player to see. */
    @Override
    public void onCreate(RoomContext ctx) {
        board.setMode(ctx.options().getOrDefault(MODE, ""));
    }

    /** The board (phase, turn, round, cells, mode) and the seats (names, ready flags, wins) as they were. */
    @Override
    public void onRestore(RoomContext ctx, Map<Integer, ByteString> entities) {
        entities.forEach((id, data) -> {
            if (id == BOARD_ID) {
                board.clear().mergeFrom(parse(id, data, Board.parser()));
            } else {
                Seat seat = parse(id, data, Seat.parser());
                seats.put(seat.getSeat(), seat.toBuilder());
            }
        });
    }

    @Override
    public Admission onJoinAttempt(RoomContext ctx, Player player) {
        if (board.getPhase() == Phase.PLAYING) {
            return Admission.reject("a round is in progress");
        }
        // Only reachable when an operator configures more seats than the game has.
        if (player.seat() >= SEATS) {
            return Admission.reject("the game has " + SEATS + " seats");
        }
        return Admission.accept();
    }

    @Override
    public void onJoin(RoomContext ctx, Player player) {
        seats.put(player.seat(), Seat.newBuilder().setSeat(player.seat()).setName(player.name()));
    }

    /** Mid-round, the other player wins by forfeit. Any leave returns to the lobby, nobody ready. */
    @Override
    public void onLeave(RoomContext ctx, Player player, LeaveCause cause) {
        seats.remove(player.seat());
        if (board.getPhase() == Phase.PLAYING && cause != LeaveCause.ROOM_CLOSED) {
            endRound(ctx, RoundOver.newBuilder().setWinnerSeat(SEATS - 1 - player.seat()).setForfeit(true));
        }
        board.setPhase(Phase.LOBBY).clearTurnSeat();
        seats.values().forEach(seat -> seat.setReady(false));
    }

    @Override
    public void writeState(StateWriter out) {
        out.entity(BOARD_ID, board.build());
        for (Seat.Builder seat : seats.values()) {
            out.entity(SEAT_ID_BASE + seat.getSeat(), seat.build());
        }
    }

    @Override
    public EventDecision onEvent(RoomContext ctx, Player from, Player to, String name, ByteString payload) {
        return switch (name) {
            case "chat" -> chat(payload);
            case "ready" -> setReady(ctx, from, true);
            case "unready" -> setReady(ctx, from, false);
            case "drop" -> drop(ctx, from, payload);
            default -> EventDecision.reject("unknown event: " + name);
        };
    }

    private static EventDecision chat(ByteString text) {
        if (text.isEmpty()) {
            return EventDecision.reject("chat is empty");
        }
        if (text.size() > MAX_CHAT_BYTES) {
            return EventDecision.reject("chat is over " + MAX_CHAT_BYTES + " bytes");
        }
        return text.isValidUtf8() ? EventDecision.relay() : EventDecision.reject("chat is not UTF-8 text");
    }

    private EventDecision setReady(RoomContext ctx, Player from, boolean ready) {
        if (board.getPhase() == Phase.PLAYING) {
            return EventDecision.reject("a round is in progress");
        }
        seats.get(from.seat()).setReady(ready);
        if (seats.size() == SEATS && seats.values().stream().allMatch(Seat.Builder::getReady)) {
            startRound(ctx);
        }
        return EventDecision.consume();
    }

    private void startRound(RoomContext ctx) {
        int first = board.getRound() % SEATS;  // seat 0 starts round 1, then the seats alternate
        board.setPhase(Phase.PLAYING).clearCells().addAllCells(EMPTY_CELLS).setRound(board.getRound() + 1);
        seats.values().forEach(seat -> seat.setReady(false));
        ctx.broadcast("round-start", RoundStart.newBuilder().setFirstSeat(first).setRound(board.getRound())
                .build().toByteString());
        giveTurn(ctx, first);
    }

    private EventDecision drop(RoomContext ctx, Player from, ByteString payload) {
        if (board.getPhase() != Phase.PLAYING) {
            return EventDecision.reject("no round in progress");
        }
        if (from.seat() != board.getTurnSeat()) {
            return EventDecision.reject("not your turn");
        }
        int column;
        try {
            column = Drop.parseFrom(payload).getColumn();
        } catch (InvalidProtocolBufferException e) {
            return EventDecision.reject("payload is not a Drop");
        }
        if (column < 0 || column >= COLUMNS) {  // a uint32 above 2^31 reads as negative
            return EventDecision.reject("column out of range");
        }
        int row = 0;
        while (row < ROWS && cell(row, column) != 0) {
            row++;
        }
        if (row == ROWS) {
            return EventDecision.reject("column full");
        }
        board.setCells(row * COLUMNS + column, from.seat() + 1);
        if (fourInARowThrough(row, column)) {
            endRound(ctx, RoundOver.newBuilder().setWinnerSeat(from.seat()));
        } else if (!board.getCellsList().contains(0)) {
            endRound(ctx, RoundOver.newBuilder().setDraw(true));
        } else {
            giveTurn(ctx, SEATS - 1 - from.seat());
        }
        return EventDecision.consume();
    }

    private void giveTurn(RoomContext ctx, int seat) {
        board.setTurnSeat(seat);
        for (Player player : ctx.players()) {
            if (player.seat() == seat) {
                ctx.send(player, "your-turn", ByteString.EMPTY);
            }
        }
    }

    private void endRound(RoomContext ctx, RoundOver.Builder outcome) {
        board.setPhase(Phase.ROUND_OVER).clearTurnSeat().clearLastWinnerSeat();
        if (outcome.hasWinnerSeat()) {
            board.setLastWinnerSeat(outcome.getWinnerSeat());
            Seat.Builder winner = seats.get(outcome.getWinnerSeat());
            winner.setWins(winner.getWins() + 1);
        }
        ctx.broadcast("round-over", outcome.build().toByteString());
    }

    private boolean fourInARowThrough(int row, int column) {
        for (int[] step : LINES) {
            int inLine = 1 + run(row, column, step[0], step[1]) + run(row, column, -step[0], -step[1]);
            if (inLine >= 4) {
                return true;
            }
        }
        return false;
    }

    /** How many discs like the one at (row, column) follow it in the direction of the step. */
    private int run(int row, int column, int rowStep, int columnStep) {
        int disc = cell(row, column);
        int count = 0;
        for (int r = row + rowStep, c = column + columnStep;
             r >= 0 && r < ROWS && c >= 0 && c < COLUMNS && cell(r, c) == disc;
             r += rowStep, c += columnStep) {
            count++;
        }
        return count;
    }

    private int cell(int row, int column) {
        return board.getCells(row * COLUMNS + column);
    }

    private static <T> T parse(int id, ByteString data, Parser<T> parser) {
        try {
            return parser.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("entity " + id + " does not parse", e);
        }
    }
}
