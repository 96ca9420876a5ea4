package io.roomcast.gateway.ws;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestGames;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.gateway.ws.wire.FrameDecoderTest;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket layer on the wire, with a raw TCP socket for a client: the opening handshake
 * and its refusals, control frames, fragments, a protocol violation, and a slow consumer.
 */
class SocketLayerTest {

    private static final int FIN = 0x80;
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

    /** A raw client: the handshake done by hand, frames read one at a time. */
    private final class RawClient implements AutoCloseable {
        final Socket socket = new Socket();
        final DataInputStream in;
        final OutputStream out;

        RawClient(int receiveBufferBytes) throws IOException {
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 2000);
            socket.setSoTimeout(5000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
            String response = request("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 101"), response);
            assertTrue(response.contains(WebSocketUpgrade.acceptKey(key)), "the accept key: " + response);
        }

        String request(String http) throws IOException {
            out.write(http.getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                head.write(in.readUnsignedByte());
            }
            return head.toString(StandardCharsets.US_ASCII);
        }

        void send(byte[] wire) throws IOException {
            out.write(wire);
            out.flush();
        }

        void sendFrame(ClientFrame frame) throws IOException {
            send(FrameDecoderTest.clientFrame(FIN | 0x2, frame.toByteArray(), true));
        }

        /** The next frame: opcode in [0], payload after it. */
        byte[] readFrame() throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            assertEquals(0, b1 & 0x80, "server frames are not masked");
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] frame = new byte[1 + (int) length];
            frame[0] = (byte) (b0 & 0x0F);
            in.readFully(frame, 1, (int) length);
            return frame;
        }

        ServerFrame readServerFrame() throws IOException {
            byte[] frame = readFrame();
            assertEquals(0x2, frame[0], "a binary frame");
            return ServerFrame.parseFrom(Arrays.copyOfRange(frame, 1, frame.length));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static ClientFrame hello(String name) {
        return ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName(name)).build();
    }

    private String plainRequest(String http) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(http.getBytes(StandardCharsets.US_ASCII));
            byte[] buffer = new byte[4096];
            int n = socket.getInputStream().read(buffer);
            return new String(buffer, 0, Math.max(0, n), StandardCharsets.US_ASCII);
        }
    }

    private int openConnections() throws IOException {
        String health = plainRequest("GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n");
        Matcher connections = Pattern.compile("\"connections\":\\s*(\\d+)").matcher(health);
        assertTrue(connections.find(), health);
        return Integer.parseInt(connections.group(1));
    }

    @Test
    void aRequestThatIsNotAValidUpgradeGetsAPlainHttpErrorSayingWhy() throws Exception {
        String plain = plainRequest("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(plain.startsWith("HTTP/1.1 426") && plain.contains("WebSocket only"), plain);

        String oldVersion = plainRequest("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\nSec-WebSocket-Version: 8\r\n\r\n");
        assertTrue(oldVersion.startsWith("HTTP/1.1 426") && oldVersion.contains("Sec-WebSocket-Version: 13"), oldVersion);

        String badKey = plainRequest("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: not*base64\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertTrue(badKey.startsWith("HTTP/1.1 400") && badKey.contains("Sec-WebSocket-Key"), badKey);
    }

    @Test
    void aPingIsAnsweredAndAFragmentedHelloIsOneMessage() throws Exception {
        try (RawClient client = new RawClient(0)) {
            client.send(FrameDecoderTest.clientFrame(FIN | 0x9, "are you there".getBytes(StandardCharsets.UTF_8), true));
            byte[] pong = client.readFrame();
            assertEquals(0xA, pong[0], "a pong");
            assertEquals("are you there", new String(pong, 1, pong.length - 1, StandardCharsets.UTF_8));

            byte[] hello = hello("frag").toByteArray();
            client.send(FrameDecoderTest.clientFrame(0x2, Arrays.copyOfRange(hello, 0, 3), true));
            client.send(FrameDecoderTest.clientFrame(FIN | 0x0, Arrays.copyOfRange(hello, 3, hello.length), true));
            assertTrue(client.readServerFrame().hasWelcome(), "the joined fragments were one Hello");

            // The close handshake: our close is answered with the same code, then the node hangs up.
            client.send(FrameDecoderTest.clientFrame(FIN | 0x8, new byte[] {0x03, (byte) 0xE8}, true));
            byte[] close = client.readFrame();
            assertEquals(0x8, close[0]);
            assertEquals(1000, ByteBuffer.wrap(close, 1, 2).getShort());
            assertEquals(-1, client.in.read(), "the node closed the connection");
        }
    }

    @Test
    void anUnmaskedClientFrameClosesWith1002() throws Exception {
        try (RawClient client = new RawClient(0)) {
            client.send(FrameDecoderTest.clientFrame(FIN | 0x2, hello("bare").toByteArray(), false));
            byte[] close = client.readFrame();
            assertEquals(0x8, close[0], "a close frame");
            assertEquals(1002, ByteBuffer.wrap(close, 1, 2).getShort());
            assertEquals(-1, client.in.read(), "then the connection ends (no answer needed after 1 s)");
        }
    }

    /** Sends a close frame with {@code body} and returns the code of the node's close frame. */
    private int closeAnsweredWith(byte[] body) throws Exception {
        try (RawClient client = new RawClient(0)) {
            client.send(FrameDecoderTest.clientFrame(FIN | 0x8, body, true));
            byte[] close = client.readFrame();
            assertEquals(0x8, close[0], "a close frame");
            assertEquals(-1, client.in.read(), "then the node hangs up");
            return ByteBuffer.wrap(close, 1, 2).getShort() & 0xFFFF;
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
        try (RawClient sleeper = new RawClient(4096)) {
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
            while (openConnections() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(1, openConnections(), "only the emitter is still connected");
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
        try (RawClient sleeper = new RawClient(4096)) {
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
            byte[] frame;
            while ((frame = sleeper.readFrame())[0] != 0x8) {
                before++;
            }
            assertEquals(4008, ((frame[1] & 0xFF) << 8) | (frame[2] & 0xFF), "close code 4008");
            System.out.printf("SocketLayerTest: the slow reader read %d frames before its 4008 close%n", before);
        }
    }
}
