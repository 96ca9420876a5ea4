package io.roomcast.gateway;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.gateway.ws.CloseCodes;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Ping;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input from one client: it gets its documented error or close code, and a bystander in
 * the same room keeps receiving every tick.
 */
class BadInputTest {

    private static final int MAX_FRAME_BYTES = 4096;
    private static final int INPUTS_PER_SECOND = 50;

    private Node node;
    private TestClient bystander;
    private String room;

    @BeforeEach
    void startNodeWithABystander() throws Exception {
        node = TestNodes.start(config -> {
            config.maxFrameBytes = MAX_FRAME_BYTES;
            config.handshakeTimeoutMs = 400;
            config.maxInputsPerSecond = INPUTS_PER_SECOND;
        });
        bystander = TestClient.connect(node.port());
        bystander.hello("bystander");
        room = bystander.quickJoin("orb-rush").getRoomId();
        bystander.drain();
    }

    @AfterEach
    void bystanderSawEveryTickAndTheNodeLives() throws Exception {
        List<State> states = bystander.collect(Duration.ofMillis(600)).stream()
                .filter(ServerFrame::hasState).map(ServerFrame::getState).toList();
        assertTrue(states.size() >= 8, "bystander keeps receiving states: " + states.size());
        long previous = -1;
        for (ServerFrame frame : bystander.drain()) {
            assertFalse(frame.hasError(), "bystander got an error: " + frame);
        }
        for (State state : states) {
            if (previous >= 0) {
                assertEquals(previous + 1, state.getTick(), "contiguous ticks for the bystander");
            }
            previous = state.getTick();
        }
        bystander.close();
        node.stop();
    }

    private TestClient offenderInTheRoom() throws Exception {
        TestClient offender = TestClient.connect(node.port());
        offender.hello("offender");
        offender.join(room);
        return offender;
    }

    @Test
    void aTextFrameClosesWith1003() throws Exception {
        try (TestClient offender = offenderInTheRoom()) {
            offender.sendText("{\"hello\":1}");
            assertEquals(CloseCodes.UNSUPPORTED_DATA, offender.awaitClose());
        }
    }

    @Test
    void randomBytesGetBadFrameAndTheConnectionStaysUsable() throws Exception {
        try (TestClient offender = offenderInTheRoom()) {
            byte[] junk = new byte[200];
            new Random(42).nextBytes(junk);
            junk[0] = (byte) 0xFF; // an invalid tag: never a valid protobuf message
            offender.sendBytes(junk);
            assertEquals(ErrorCode.BAD_FRAME, offender.await(ServerFrame::hasError).getError().getCode());
            offender.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setClientTimeMs(1)).build());
            assertEquals(1, offender.await(ServerFrame::hasPong).getPong().getClientTimeMs());
        }
    }

    @Test
    void aFrameWithNoBodyGetsBadFrameWithItsRequestId() throws Exception {
        try (TestClient offender = offenderInTheRoom()) {
            offender.send(ClientFrame.newBuilder().setRequestId(99).build());
            var error = offender.await(ServerFrame::hasError).getError();
            assertEquals(ErrorCode.BAD_FRAME, error.getCode());
            assertEquals(99, error.getRequestId());
        }
    }

    @Test
    void anOversizeFrameClosesWith1009() throws Exception {
        try (TestClient offender = offenderInTheRoom()) {
            offender.sendBytes(new byte[MAX_FRAME_BYTES + 1]);
            assertEquals(CloseCodes.MESSAGE_TOO_BIG, offender.awaitClose());
        }
        Eventually.holds(() -> node.metrics().oversizeFrames.sum() == 1, "the oversize frame is counted");
    }

    @Test
    void anyFrameBeforeHelloGetsHelloRequiredAndCloses4001() throws Exception {
        try (TestClient offender = TestClient.connect(node.port())) {
            offender.send(ClientFrame.newBuilder().setRequestId(5).setJoin(Join.newBuilder().setRoomId(room)).build());
            var error = offender.await(ServerFrame::hasError).getError();
            assertEquals(ErrorCode.HELLO_REQUIRED, error.getCode());
            assertEquals(5, error.getRequestId());
            assertEquals(CloseCodes.HELLO_REQUIRED, offender.awaitClose());
        }
    }

    @Test
    void noHelloInTimeClosesWith4002() throws Exception {
        try (TestClient offender = TestClient.connect(node.port())) {
            assertEquals(CloseCodes.HANDSHAKE_TIMEOUT, offender.awaitClose());
        }
    }

    @Test
    void anUnsupportedProtocolVersionCloses4003() throws Exception {
        try (TestClient offender = TestClient.connect(node.port())) {
            offender.send(ClientFrame.newBuilder().setHello(io.roomcast.proto.v1.Hello.newBuilder()
                    .setProtocolVersion(99).setPlayerName("future")).build());
            assertEquals(ErrorCode.UNSUPPORTED_VERSION, offender.await(ServerFrame::hasError).getError().getCode());
            assertEquals(CloseCodes.UNSUPPORTED_VERSION, offender.awaitClose());
        }
    }

    @Test
    void joiningARoomThatDoesNotExistGetsRoomNotFound() throws Exception {
        try (TestClient offender = TestClient.connect(node.port())) {
            offender.hello("offender");
            offender.send(ClientFrame.newBuilder().setRequestId(3).setJoin(Join.newBuilder().setRoomId("no-such-room")).build());
            var error = offender.await(ServerFrame::hasError).getError();
            assertEquals(ErrorCode.ROOM_NOT_FOUND, error.getCode());
            assertEquals(3, error.getRequestId());
            offender.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setGameType("chess-9000")).build());
            assertEquals(ErrorCode.UNKNOWN_GAME, offender.await(ServerFrame::hasError).getError().getCode());
        }
    }

    @Test
    void anInputFloodIsCutToTheRateLimitWithRateLimitedAndTheRestStillApplies() throws Exception {
        try (TestClient offender = offenderInTheRoom()) {
            int limit = INPUTS_PER_SECOND;
            ByteString left = DemoInput.newBuilder().setDx(-1).build().toByteString();
            for (int seq = 1; seq <= limit * 5; seq++) {
                offender.input(room, seq, left);
            }
            var error = offender.await(ServerFrame::hasError).getError();
            assertEquals(ErrorCode.RATE_LIMITED, error.getCode());
            Eventually.holds(() -> node.metrics().rateLimited.sum() >= limit * 3L, "most of the flood was dropped");
            // After a second the bucket has refilled: a new input is applied.
            Thread.sleep(1100);
            offender.input(room, limit * 5 + 1, left);
            int last = limit * 5 + 1;
            offender.await(f -> f.hasState() && f.getState().getAppliedList().stream().anyMatch(a -> a.getSeq() == last));
        }
    }
}
