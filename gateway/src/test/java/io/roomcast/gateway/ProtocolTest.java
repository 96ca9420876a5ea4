package io.roomcast.gateway;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.games.demo.DemoEntity;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.Leave;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.proto.v1.Ping;
import io.roomcast.proto.v1.SeatInput;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import io.roomcast.proto.v1.Welcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One real node on loopback, real WebSocket clients: the protocol as a client sees it. */
class ProtocolTest {

    /** A node per test, so no room or seat of one test leaks into another. */
    private Node node;

    @BeforeEach
    void startNode() {
        node = TestNodes.start(config -> config.maxPlayersPerRoom = 2);
    }

    @AfterEach
    void stopNode() {
        node.stop();
    }

    @Test
    void helloIsAnsweredWithAWelcomeCarryingSessionNodeTokenAndLimits() throws Exception {
        try (TestClient client = TestClient.connect(node.port())) {
            long before = System.currentTimeMillis();
            Welcome welcome = client.hello("alice");
            assertEquals(1, welcome.getProtocolVersion());
            assertFalse(welcome.getSessionId().isEmpty());
            assertEquals(node.nodeId(), welcome.getNodeId());
            assertTrue(welcome.getResumeToken().length() >= 16);
            assertTrue(welcome.getServerTimeMs() >= before - 1000);
            assertEquals(2, welcome.getLimits().getMaxPlayersPerRoom());
            assertTrue(welcome.getLimits().getMaxFrameBytes() > 0);
            assertFalse(welcome.getResumed());
        }
    }

    @Test
    void twoPlayersInOneRoomBothSeeTheInputsOfOneAppliedWithItsSeq() throws Exception {
        try (TestClient alice = TestClient.connect(node.port()); TestClient bob = TestClient.connect(node.port())) {
            alice.hello("alice");
            bob.hello("bob");
            Joined aliceJoined = alice.quickJoin("orb-rush");
            Joined bobJoined = bob.join(aliceJoined.getRoomId());
            assertEquals(aliceJoined.getRoomId(), bobJoined.getRoomId());
            assertNotEquals(aliceJoined.getSeat(), bobJoined.getSeat());
            float startX = avatarX(aliceJoined.getKeyframe(), aliceJoined.getSeat());

            String room = aliceJoined.getRoomId();
            for (int seq = 1; seq <= 5; seq++) {
                alice.input(room, seq, DemoInput.newBuilder().setDx(1).build().toByteString());
            }
            int seat = aliceJoined.getSeat();
            State seenByAlice = alice.await(f -> f.hasState() && appliedSeq(f.getState(), seat) == 5).getState();
            State seenByBob = bob.await(f -> f.hasState() && appliedSeq(f.getState(), seat) == 5).getState();
            assertEquals(room, seenByBob.getRoomId());
            assertTrue(seenByBob.getTick() > 0 && seenByAlice.getTick() > 0);

            // Half a second later Bob's view has Alice's avatar moving right (+200 units/s).
            bob.collect(Duration.ofMillis(500));
            State later = bob.await(ServerFrame::hasState).getState();
            bob.send(ClientFrame.newBuilder().setKeyframeRequest(
                    io.roomcast.proto.v1.KeyframeRequest.newBuilder().setRoomId(room)).build());
            State keyframe = bob.await(f -> f.hasState() && f.getState().getKeyframe()).getState();
            assertTrue(keyframe.getTick() >= later.getTick());
            assertTrue(avatarX(keyframe, seat) > startX + 50, "alice moved right in bob's view");
        }
    }

    @Test
    void statesArriveAtTheTickRateWithContiguousTickNumbers() throws Exception {
        try (TestClient alice = TestClient.connect(node.port())) {
            alice.hello("alice");
            alice.quickJoin("orb-rush");
            // 20 Hz: about 40 states in 2 s. No upper bound: after a stall the room catches up with
            // a burst of ticks (each still numbered once). Fewer than 30 means the rate is wrong.
            List<State> states = alice.collect(Duration.ofSeconds(2)).stream()
                    .filter(ServerFrame::hasState).map(ServerFrame::getState).toList();
            assertTrue(states.size() >= 30, "20 states a second: at least 30 in 2 s, got " + states.size());
            for (int i = 1; i < states.size(); i++) {
                assertEquals(states.get(i - 1).getTick() + 1, states.get(i).getTick(), "tick numbers are contiguous");
            }
        }
    }

    @Test
    void emitToTheRoomReachesEveryOtherMemberWithAnOffsetAndIsAcked() throws Exception {
        try (TestClient alice = TestClient.connect(node.port()); TestClient bob = TestClient.connect(node.port())) {
            String aliceId = alice.hello("alice").getSessionId();
            bob.hello("bob");
            String room = alice.quickJoin("orb-rush").getRoomId();
            bob.join(room);

            alice.emit(Emit.newBuilder().setRoomId(room).setName("chat").setPayload(ByteString.copyFromUtf8("hi")).setAckId(7).build());
            ServerFrame ack = alice.await(ServerFrame::hasAck);
            assertEquals(7, ack.getAck().getAckId());
            assertTrue(ack.getAck().getOk());
            var event = bob.await(ServerFrame::hasEvent).getEvent();
            assertEquals("chat", event.getName());
            assertEquals("hi", event.getPayload().toStringUtf8());
            assertEquals(aliceId, event.getFromPlayer());
            assertEquals(room, event.getRoomId());
            assertTrue(event.getOffset() > 0);
            assertEquals(event.getOffset(), ack.getAck().getEventOffset(), "the ack tells the sender its event's place in the log");
            assertTrue(alice.drain().stream().noneMatch(ServerFrame::hasEvent), "the sender does not get its own event");
        }
    }

    @Test
    void emitToOnePlayerReachesOnlyThatPlayer() throws Exception {
        try (TestClient alice = TestClient.connect(node.port());
             TestClient bob = TestClient.connect(node.port());
             TestClient carol = TestClient.connect(node.port())) {
            alice.hello("alice");
            String bobId = bob.hello("bob").getSessionId();
            carol.hello("carol");
            String room = alice.quickJoin("orb-rush").getRoomId();
            bob.join(room);

            // Within the room...
            alice.emit(Emit.newBuilder().setRoomId(room).setToPlayer(bobId).setName("whisper").setAckId(1).build());
            assertTrue(alice.await(ServerFrame::hasAck).getAck().getOk());
            var inRoom = bob.await(ServerFrame::hasEvent).getEvent();
            assertTrue(inRoom.getDirect());
            assertEquals("whisper", inRoom.getName());
            // ...and to a player anywhere, without a room.
            carol.emit(Emit.newBuilder().setToPlayer(bobId).setName("dm").setAckId(2).build());
            assertTrue(carol.await(ServerFrame::hasAck).getAck().getOk());
            assertEquals("dm", bob.await(ServerFrame::hasEvent).getEvent().getName());
            // An unknown addressee is refused in the ack.
            carol.emit(Emit.newBuilder().setToPlayer("nobody").setName("dm").setAckId(3).build());
            var refused = carol.await(ServerFrame::hasAck).getAck();
            assertFalse(refused.getOk());
            assertEquals(ErrorCode.PLAYER_NOT_FOUND, refused.getError());
        }
    }

    @Test
    void pingIsAnsweredWithPongEchoingClientTime() throws Exception {
        try (TestClient alice = TestClient.connect(node.port())) {
            alice.hello("alice");
            alice.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setClientTimeMs(123456)).build());
            var pong = alice.await(ServerFrame::hasPong).getPong();
            assertEquals(123456, pong.getClientTimeMs());
            assertTrue(Math.abs(pong.getServerTimeMs() - System.currentTimeMillis()) < 5000);
        }
    }

    @Test
    void leaveFreesTheSeatStopsStatesAndIsConfirmed() throws Exception {
        try (TestClient alice = TestClient.connect(node.port()); TestClient bob = TestClient.connect(node.port())) {
            alice.hello("alice");
            bob.hello("bob");
            String room = alice.quickJoin("orb-rush").getRoomId();
            bob.join(room);
            alice.send(ClientFrame.newBuilder().setLeave(Leave.newBuilder().setRoomId(room)).build());
            var left = alice.await(ServerFrame::hasLeft).getLeft();
            assertEquals(room, left.getRoomId());
            assertEquals(LeaveReason.LEAVE_REQUESTED, left.getReason());
            alice.collect(Duration.ofMillis(150));
            assertTrue(alice.collect(Duration.ofMillis(300)).stream().noneMatch(ServerFrame::hasState), "no states after leaving");
            alice.input(room, 1, ByteString.EMPTY);
            assertEquals(ErrorCode.NOT_IN_ROOM, alice.await(ServerFrame::hasError).getError().getCode());
            // The freed seat can be taken again.
            TestClient carol = TestClient.connect(node.port());
            carol.hello("carol");
            assertEquals(room, carol.join(room).getRoomId());
            carol.close();
        }
    }

    @Test
    void aSecondJoinOfARoomSentBeforeTheFirstIsAnsweredIsRefusedAndTheSeatIsKept() throws Exception {
        try (TestClient alice = TestClient.connect(node.port()); TestClient bob = TestClient.connect(node.port())) {
            alice.hello("alice");
            bob.hello("bob");
            String room = alice.quickJoin("orb-rush").getRoomId();
            ClientFrame join = ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(room)).build();
            for (int round = 1; round <= 10; round++) {
                // Both joins leave before the first is answered (a client that retries without
                // waiting; the raw-frame fuzz found it): the second finds the first on its way.
                bob.send(join.toBuilder().setRequestId(1).build());
                bob.send(join.toBuilder().setRequestId(2).build());
                // One Joined, one ALREADY_IN_ROOM for the second, in either order (the refusal needs no room thread).
                List<ServerFrame> answers = List.of(bob.await(f -> f.hasError() || f.hasJoined() || f.hasLeft()),
                        bob.await(f -> f.hasError() || f.hasJoined() || f.hasLeft()));
                assertTrue(answers.stream().anyMatch(f -> f.hasJoined() && f.getJoined().getRoomId().equals(room)), "round " + round + ": " + answers);
                assertTrue(answers.stream().anyMatch(f -> f.hasError() && f.getError().getCode() == ErrorCode.ALREADY_IN_ROOM
                        && f.getError().getRequestId() == 2), "round " + round + ": " + answers);
                // The seat is bob's still: its leave is answered as a leave, not NOT_IN_ROOM.
                bob.send(ClientFrame.newBuilder().setRequestId(3).setLeave(Leave.newBuilder().setRoomId(room)).build());
                ServerFrame left = bob.await(f -> f.hasLeft() || f.hasError());
                assertTrue(left.hasLeft() && left.getLeft().getReason() == LeaveReason.LEAVE_REQUESTED, "round " + round + ": " + left);
            }
        }
    }

    @Test
    void quickJoinFillsOneRoomBeforeOpeningAnother() throws Exception {
        try (TestClient a = TestClient.connect(node.port());
             TestClient b = TestClient.connect(node.port());
             TestClient c = TestClient.connect(node.port())) {
            a.hello("a");
            b.hello("b");
            c.hello("c");
            String first = a.quickJoin("bench-arena").getRoomId();
            assertEquals(first, b.quickJoin("bench-arena").getRoomId());
            assertNotEquals(first, c.quickJoin("bench-arena").getRoomId(), "max 2 players per room on this node");
        }
    }

    @Test
    void aDroppedPlayerResumesItsSeatWithTheResumeToken() throws Exception {
        Welcome welcome;
        Joined joined;
        try (TestClient alice = TestClient.connect(node.port())) {
            welcome = alice.hello("alice");
            joined = alice.quickJoin("orb-rush");
            alice.abort();
        }
        try (TestClient again = TestClient.connect(node.port())) {
            again.send(ClientFrame.newBuilder().setHello(io.roomcast.proto.v1.Hello.newBuilder()
                    .setProtocolVersion(1).setPlayerName("alice").setResumeToken(welcome.getResumeToken())).build());
            Welcome resumed = again.await(ServerFrame::hasWelcome).getWelcome();
            assertTrue(resumed.getResumed());
            assertEquals(welcome.getSessionId(), resumed.getSessionId());
            Joined rejoined = again.await(ServerFrame::hasJoined).getJoined();
            assertEquals(joined.getRoomId(), rejoined.getRoomId());
            assertEquals(joined.getSeat(), rejoined.getSeat());
            assertTrue(again.await(ServerFrame::hasState).getState().getTick() > 0);
        }
    }

    static int appliedSeq(State state, int seat) {
        return state.getAppliedList().stream().filter(a -> a.getSeat() == seat).mapToInt(SeatInput::getSeq).findFirst().orElse(-1);
    }

    static float avatarX(State keyframe, int seat) throws Exception {
        for (Entity entity : keyframe.getEntitiesList()) {
            DemoEntity decoded = DemoEntity.parseFrom(entity.getData());
            if (decoded.hasAvatar() && decoded.getAvatar().getSeat() == seat) {
                return decoded.getAvatar().getX();
            }
        }
        throw new AssertionError("no avatar for seat " + seat + " in the keyframe");
    }
}
