package io.roomcast.gateway.ws;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.RawHttp;
import io.roomcast.gateway.testing.RawWebSocket;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestGames;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket layer on the wire, with a raw TCP socket for a client: the opening handshake
 * and its refusals, control frames, fragments, a protocol violation, and a slow consumer.
 */
class SocketLayerTest {

    private static final int FIN = RawWebSocket.FIN;
    private static final int SEND_QUEUE_BYTES = 64 * 1024;

    private Node node;

    @BeforeEach
    void startNode() {
        node = TestNodes.start(config -> {
            config.sendQueueBytes = SEND_QUEUE_BYTES;
            config.maxFrameBytes = 256 * 1024;
            config.maxEmitsPerSecond = 1000;
        });
    }

    @AfterEach
    void stopNode() {
        node.stop();
    }

    private static ClientFrame hello(String name) {
        return ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName(name)).build();
    }

    @Test
    void aRequestThatIsNotAValidUpgradeGetsAPlainHttpErrorSayingWhy() throws Exception {
        String plain = RawHttp.exchange(node.port(), "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(plain.startsWith("HTTP/1.1 426") && plain.contains("WebSocket only"), plain);

        String oldVersion = RawHttp.exchange(node.port(), "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\nSec-WebSocket-Version: 8\r\n\r\n");
        assertTrue(oldVersion.startsWith("HTTP/1.1 426") && oldVersion.contains("Sec-WebSocket-Version: 13"), oldVersion);

        String badKey = RawHttp.exchange(node.port(), "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: not*base64\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertTrue(badKey.startsWith("HTTP/1.1 400") && badKey.contains("Sec-WebSocket-Key"), badKey);
    }

    @Test
    void aPingIsAnsweredAndAFragmentedHelloIsOneMessage() throws Exception {
        try (RawWebSocket client = RawWebSocket.open(node.port())) {
            client.send(RawWebSocket.frame(FIN | 0x9, "are you there".getBytes(StandardCharsets.UTF_8), true));
            RawWebSocket.Frame pong = client.readFrame();
            assertEquals(RawWebSocket.PONG, pong.opcode(), "a pong");
            assertEquals("are you there", new String(pong.payload(), StandardCharsets.UTF_8));

            byte[] hello = hello("frag").toByteArray();
            client.send(RawWebSocket.frame(0x2, Arrays.copyOfRange(hello, 0, 3), true));
            client.send(RawWebSocket.frame(FIN | 0x0, Arrays.copyOfRange(hello, 3, hello.length), true));
            assertTrue(client.readServerFrame().hasWelcome(), "the joined fragments were one Hello");

            // The close handshake: our close is answered with the same code, then the node hangs up.
            client.send(RawWebSocket.frame(FIN | 0x8, new byte[] {0x03, (byte) 0xE8}, true));
            RawWebSocket.Frame close = client.readFrame();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(1000, close.closeCode());
            assertEquals(-1, client.read(), "the node closed the connection");
        }
    }

    @Test
    void anUnmaskedClientFrameClosesWith1002AndTheNodeEndsItsSideAtOnce() throws Exception {
        try (RawWebSocket client = RawWebSocket.open(node.port())) {
            long sent = System.nanoTime();
            client.send(RawWebSocket.frame(FIN | 0x2, hello("bare").toByteArray(), false));
            RawWebSocket.Frame close = client.readFrame();
            assertEquals(RawWebSocket.CLOSE, close.opcode(), "a close frame");
            assertEquals(1002, close.closeCode());
            // The node reads nothing of it any more (RFC 6455 7.1.7): it ends its side right after
            // its close frame, not when the second it waits for a close handshake runs out.
            client.send(RawWebSocket.frame(FIN | 0x2, hello("more").toByteArray(), true));
            assertEquals(-1, client.read(), "the node ended its side");
            long tookMs = (System.nanoTime() - sent) / 1_000_000;
            assertTrue(tookMs < 800, "at once, not after the 1 s close timeout: " + tookMs + " ms");
        }
        // and lets the socket go when the client closes its own
        long deadline = System.nanoTime() + 800_000_000L;
        while (RawHttp.openWebSockets(node.port()) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, RawHttp.openWebSockets(node.port()), "the node closed the socket");
    }

    @Test
    void aSocketClosingForAViolationIsNotCountedAsAHandshakeTimeout() throws Exception {
        node.stop();
        node = TestNodes.start(config -> config.handshakeTimeoutMs = 100);
        try (RawWebSocket client = RawWebSocket.open(node.port())) {
            client.send(RawWebSocket.frame(FIN | 0x2, hello("bare").toByteArray(), false));
            assertEquals(1002, client.readFrame().closeCode());
            assertEquals(-1, client.read(), "the node ended its side");
            // The node keeps the socket until this client closes its own (or a second passes);
            // its 100 ms handshake timer fires meanwhile, on a socket that did not time out.
            Thread.sleep(300);
        }
        assertEquals(1, node.metrics().protocolViolations.sum());
        assertEquals(0, node.metrics().handshakeTimeouts.sum(), "no handshake timed out");
    }

    /** Sends a close frame with {@code body} and returns the code of the node's close frame. */
    private int closeAnsweredWith(byte[] body) throws Exception {
        try (RawWebSocket client = RawWebSocket.open(node.port())) {
            client.send(RawWebSocket.frame(FIN | 0x8, body, true));
            RawWebSocket.Frame close = client.readFrame();
            assertEquals(RawWebSocket.CLOSE, close.opcode(), "a close frame");
            assertEquals(-1, client.read(), "then the node hangs up");
            return close.closeCode();
        }
    }

    @Test
    void aValidCloseCodeIsEchoedAndAnInvalidOneIsAnsweredWith1002() throws Exception {
        assertEquals(4000, closeAnsweredWith(new byte[] {0x0F, (byte) 0xA0}));
        assertEquals(1000, closeAnsweredWith(new byte[0]), "no code: answered with 1000, never 1005");
        for (int invalid : new int[] {999, 1005, 1006, 1015, 2000, 5000}) {
            assertEquals(1002, closeAnsweredWith(new byte[] {(byte) (invalid >>> 8), (byte) invalid}), "code " + invalid);
        }
        assertEquals(1007, closeAnsweredWith(new byte[] {0x03, (byte) 0xE8, (byte) 0xC0, (byte) 0x80}), "a reason not UTF-8");
        assertEquals(7, node.metrics().protocolViolations.sum(), "every violation counted");
    }

    @Test
    void aClientThatStopsReadingIsClosedAsASlowConsumerAndTheOthersGoOn() throws Exception {
        TestClient emitter = TestClient.connect(node.port());
        emitter.hello("emitter");
        String room = emitter.quickJoin("bench-broadcast").getRoomId();
        try (RawWebSocket sleeper = RawWebSocket.open(node.port(), 4096)) {
            sleeper.sendFrame(hello("sleeper"));
            assertTrue(sleeper.readServerFrame().hasWelcome());
            sleeper.sendFrame(ClientFrame.newBuilder().setRequestId(1).setJoin(Join.newBuilder().setRoomId(room)).build());
            assertTrue(sleeper.readServerFrame().hasJoined());
            // The sleeper reads nothing more; events of 8 KB (an eighth of its queue) fill its socket's
            // buffers, then its queue. One at a time: a reader never has more than one queued.
            ByteString payload = ByteString.copyFrom(new byte[8 * 1024]);
            for (int i = 1; i <= 3000 && node.metrics().slowConsumerCloses.sum() == 0; i++) {
                emitter.emitAcked(room, "big", payload);
            }
            assertEquals(1, node.metrics().slowConsumerCloses.sum(), "the sleeper was closed as a slow consumer");

            // The node cuts the connection within a second, though the sleeper still reads nothing
            // (its close frame waits behind the frames it never read).
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (RawHttp.openWebSockets(node.port()) > 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(1, RawHttp.openWebSockets(node.port()), "only the emitter is still connected");
        }
        // The emitter was never held up: its acks came back and it still gets answers.
        assertTrue(emitter.emitAcked(room, "after", ByteString.copyFromUtf8("x")).getOk());
        emitter.close();
    }

    @Test
    void aClientWhoseStatesHaveBeenDroppedForSlowConsumerMsIsClosedWith4008AndReadsTheCloseNext() throws Exception {
        node.stop();
        node = TestNodes.startWith(List.of(TestGames.FLOOD), config -> {
            config.tickRate = 200;            // 8 KiB states at 200 Hz fill a reader's buffers within seconds
            config.sendQueueBytes = 64 * 1024;
            config.slowConsumerMs = 1000;
        });
        try (RawWebSocket sleeper = RawWebSocket.open(node.port(), 4096)) {
            sleeper.sendFrame(hello("sleeper"));
            assertTrue(sleeper.readServerFrame().hasWelcome());
            sleeper.sendFrame(ClientFrame.newBuilder().setJoin(Join.newBuilder().setGameType(TestGames.FLOOD.name())).build());
            // It reads nothing from here: only states come, and states are latest-wins, so bytes alone
            // never cut it off; the time its states have been dropped does.
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (node.metrics().slowConsumerCloses.sum() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, node.metrics().slowConsumerCloses.sum(), "cut off as a slow consumer by time behind");
            assertTrue(node.metrics().statesDropped.sum() > 0, "after its states were dropped");

            // Reading again, it finds the close right after what was already on its way, not behind a full queue.
            int before = 0;
            RawWebSocket.Frame frame;
            while ((frame = sleeper.readFrame()).opcode() != RawWebSocket.CLOSE) {
                before++;
            }
            assertEquals(4008, frame.closeCode(), "close code 4008");
            System.out.printf("SocketLayerTest: the slow reader read %d frames before its 4008 close%n", before);
        }
    }
}
