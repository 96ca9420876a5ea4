package io.roomcast.gateway;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.games.fourinarow.Board;
import io.roomcast.proto.games.fourinarow.Drop;
import io.roomcast.proto.games.fourinarow.Phase;
import io.roomcast.proto.games.fourinarow.RoundOver;
import io.roomcast.proto.games.fourinarow.RoundStart;
import io.roomcast.proto.v1.Ack;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Event;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two real WebSocket clients play a whole round of the turn-based game on a real node. */
class FourInARowTest {

    private Node node;

    @BeforeEach
    void startNode() {
        node = TestNodes.start();
    }

    @AfterEach
    void stopNode() {
        node.stop();
    }

    @Test
    void twoPlayersChatReadyUpAndPlayARoundToAWin() throws Exception {
        try (TestClient ann = TestClient.connect(node.port()); TestClient ben = TestClient.connect(node.port())) {
            ann.hello("Ann");
            String benId = ben.hello("Ben").getSessionId();
            Joined annJoined = ann.quickJoin("four-in-a-row");
            String room = annJoined.getRoomId();
            assertEquals(room, ben.quickJoin("four-in-a-row").getRoomId(), "quick-join finds Ann's waiting room");
            assertEquals(0, annJoined.getSeat());

            // Lobby chat is relayed to the other player; an empty one is refused in the ack.
            assertTrue(ann.emitAcked(room, "chat", ByteString.copyFromUtf8("good luck")).getOk());
            assertEquals("good luck", ben.await(f -> f.hasEvent() && f.getEvent().getName().equals("chat"))
                    .getEvent().getPayload().toStringUtf8());
            Ack emptyChat = ann.emitAcked(room, "chat", ByteString.EMPTY);
            assertFalse(emptyChat.getOk());
            assertEquals(ErrorCode.EVENT_REJECTED, emptyChat.getError());

            // Both ready: the round starts, and seat 0 (Ann) is told it is her turn, directly.
            assertTrue(ann.emitAcked(room, "ready", ByteString.EMPTY).getOk());
            // (Ben's ack comes after the round-start his ready caused: read that one on Ann's side.)
            assertTrue(ben.emitAcked(room, "ready", ByteString.EMPTY).getOk());
            Event start = ann.await(f -> f.hasEvent() && f.getEvent().getName().equals("round-start")).getEvent();
            assertEquals(0, RoundStart.parseFrom(start.getPayload()).getFirstSeat());
            Event yourTurn = ann.await(f -> f.hasEvent() && f.getEvent().getName().equals("your-turn")).getEvent();
            assertTrue(yourTurn.getDirect());

            // Ben moving out of turn is refused with the reason.
            Ack outOfTurn = ben.emitAcked(room, "drop", drop(3));
            assertFalse(outOfTurn.getOk());
            assertEquals("not your turn", outOfTurn.getMessage());

            // Ann stacks column 0, Ben column 1: Ann's fourth disc wins vertically.
            for (int move = 0; move < 3; move++) {
                assertTrue(ann.emitAcked(room, "drop", drop(0)).getOk());
                assertTrue(ben.emitAcked(room, "drop", drop(1)).getOk());
            }
            assertTrue(ann.emitAcked(room, "drop", drop(0)).getOk());

            Event over = ben.await(f -> f.hasEvent() && f.getEvent().getName().equals("round-over")).getEvent();
            RoundOver result = RoundOver.parseFrom(over.getPayload());
            assertEquals(0, result.getWinnerSeat());
            assertFalse(result.getDraw());
            State state = ben.await(f -> f.hasState() && boardOf(f.getState()) != null
                    && boardOf(f.getState()).getPhase() == Phase.ROUND_OVER).getState();
            Board board = boardOf(state);
            assertEquals(0, board.getLastWinnerSeat());
            assertEquals(1, board.getCells(0 * 7 + 0));
            assertEquals(1, board.getCells(3 * 7 + 0), "four of Ann's discs in column 0");
            assertEquals(2, board.getCells(2 * 7 + 1), "three of Ben's in column 1");
            assertEquals(0, board.getCells(3 * 7 + 1));

            // A direct message to the other player works alongside the game.
            ann.emit(Emit.newBuilder().setRoomId(room).setToPlayer(benId).setName("chat")
                    .setPayload(ByteString.copyFromUtf8("gg")).build());
            assertTrue(ben.await(f -> f.hasEvent() && f.getEvent().getName().equals("chat")).getEvent().getDirect());
        }
    }

    @Test
    void leavingMidRoundForfeitsToTheOtherPlayer() throws Exception {
        try (TestClient ann = TestClient.connect(node.port()); TestClient ben = TestClient.connect(node.port())) {
            ann.hello("Ann");
            ben.hello("Ben");
            String room = ann.quickJoin("four-in-a-row").getRoomId();
            ben.join(room);
            ann.emitAcked(room, "ready", ByteString.EMPTY);
            ben.emitAcked(room, "ready", ByteString.EMPTY);
            ann.await(f -> f.hasEvent() && f.getEvent().getName().equals("round-start"));
            ben.send(io.roomcast.proto.v1.ClientFrame.newBuilder().setLeave(
                    io.roomcast.proto.v1.Leave.newBuilder().setRoomId(room)).build());
            ben.await(ServerFrame::hasLeft);
            Event over = ann.await(f -> f.hasEvent() && f.getEvent().getName().equals("round-over")).getEvent();
            RoundOver result = RoundOver.parseFrom(over.getPayload());
            assertTrue(result.getForfeit());
            assertEquals(0, result.getWinnerSeat(), "Ann wins by forfeit");
            assertEquals(Phase.LOBBY, boardOf(ann.await(f -> f.hasState() && boardOf(f.getState()) != null).getState()).getPhase());
        }
    }


    private static ByteString drop(int column) {
        return Drop.newBuilder().setColumn(column).build().toByteString();
    }

    private static Board boardOf(State state) {
        try {
            for (Entity entity : state.getEntitiesList()) {
                if (entity.getId() == 0) {
                    return Board.parseFrom(entity.getData());
                }
            }
            return null;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
