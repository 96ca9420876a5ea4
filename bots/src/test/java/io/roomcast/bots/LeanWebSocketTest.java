package io.roomcast.bots;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket client against a tiny blocking server in the test (loopback, a free port):
 * the handshake, frames split anywhere, fragments, pings, big frames, queued sends, both
 * closes, and the one-line reasons of a failed connect.
 */
@Timeout(10)
class LeanWebSocketTest {

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final SocketLoop loop = new SocketLoop("bots-socket-test", timer);
    private final ServerSocket server;
    private final Events events = new Events();

    LeanWebSocketTest() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws IOException {
        loop.close();
        timer.shutdownNow();
        server.close();
    }

    private URI uri() {
        return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws?x=1");
    }

    private CompletableFuture<WebSocket> connect() {
        return loop.connect(uri(), Duration.ofSeconds(5), events);
    }

    @Test
    void deliversWholeMessagesFromFramesSplitAnywhereAndAnswersPings() throws Exception {
        CompletableFuture<WebSocket> connecting = connect();
        Peer peer = Peer.accept(server);
        assertEquals("GET /ws?x=1 HTTP/1.1", peer.requestLine);
        peer.accept(frame(true, WsFrames.BINARY, bytes("first"))); // in the same write as the 101
        WebSocket ws = connecting.get(5, TimeUnit.SECONDS);
        assertEquals("open", events.next());
        assertEquals("binary first", events.next());

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write(frame(false, WsFrames.BINARY, bytes("ab")));
        stream.write(frame(true, WsFrames.PING, bytes("p1")));
        stream.write(frame(false, WsFrames.CONTINUATION, bytes("cd")));
        stream.write(frame(true, WsFrames.CONTINUATION, bytes("ef")));
        stream.write(frame(true, WsFrames.TEXT, "hé".getBytes(StandardCharsets.UTF_8)));
        stream.write(frame(true, WsFrames.BINARY, filled(300, 7)));      // 16-bit length
        stream.write(frame(true, WsFrames.BINARY, filled(100_000, 9)));  // 64-bit length, over the read buffer
        stream.write(frame(true, WsFrames.BINARY, bytes("last")));
        peer.writeInPieces(stream.toByteArray(), 1, 2, 3, 5, 8, 13, 40_000);

        assertEquals("ping p1", events.next());
        assertEquals("binary abcdef", events.next());
        assertEquals("text hé", events.next());
        assertEquals("binary 300x7", events.next());
        assertEquals("binary 100000x9", events.next());
        assertEquals("binary last", events.next());
        Frame pong = peer.read();
        assertEquals(WsFrames.PONG, pong.opcode);
        assertEquals("p1", pong.text());

        ws.sendBinary(ByteBuffer.wrap(bytes("hi")), true).get(5, TimeUnit.SECONDS);
        Frame hi = peer.read();
        assertEquals(WsFrames.BINARY, hi.opcode);
        assertEquals("hi", hi.text());

        peer.write(frame(true, WsFrames.CLOSE, closeBody(1001, "bye")));
        assertEquals("close 1001 bye", events.next());
        Frame reply = peer.read();
        assertEquals(WsFrames.CLOSE, reply.opcode);
        assertEquals(1001, ByteBuffer.wrap(reply.payload).getShort());
        assertThrows(EOFException.class, peer::read, "the client closed the connection");
        assertTrue(ws.isInputClosed() && ws.isOutputClosed());
        assertNull(events.poll(), "nothing after the close");
    }

    @Test
    void sendsWhatTheSocketCannotTakeLaterAndInOrder() throws Exception {
        CompletableFuture<WebSocket> connecting = connect();
        Peer peer = Peer.accept(server);
        peer.accept(new byte[0]);
        WebSocket ws = connecting.get(5, TimeUnit.SECONDS);

        int frames = 256;
        List<CompletableFuture<WebSocket>> sent = new ArrayList<>();
        for (int i = 0; i < frames; i++) {   // 16 MiB while the peer reads nothing
            sent.add(ws.sendBinary(ByteBuffer.wrap(filled(64 * 1024, i)), true));
        }
        assertTrue(sent.stream().anyMatch(f -> !f.isDone()), "some had to wait for the socket");
        for (int i = 0; i < frames; i++) {
            Frame f = peer.read();
            assertEquals(64 * 1024, f.payload.length);
            assertEquals((byte) i, f.payload[0], "in order");
            assertEquals((byte) i, f.payload[f.payload.length - 1]);
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        assertTrue(ws.isOutputClosed());
        assertTrue(ws.sendBinary(ByteBuffer.allocate(1), true).isCompletedExceptionally(), "nothing after the close");
        Frame close = peer.read();
        assertEquals(WsFrames.CLOSE, close.opcode);
        assertEquals(1000, ByteBuffer.wrap(close.payload).getShort());
        peer.write(frame(true, WsFrames.CLOSE, close.payload));
        assertEquals("open", events.next());
        assertEquals("close 1000 done", events.next());
    }

    @Test
    void aConnectionLostWithoutACloseFrameIsOneError() throws Exception {
        CompletableFuture<WebSocket> connecting = connect();
        Peer peer = Peer.accept(server);
        peer.accept(new byte[0]);
        connecting.get(5, TimeUnit.SECONDS);
        peer.socket.close();

        assertEquals("open", events.next());
        assertEquals("error the server closed the connection", events.next());
        assertNull(events.poll());
    }

    @Test
    void aRefusedUpgradeIsOneLine() throws Exception {
        CompletableFuture<WebSocket> connecting = connect();
        Peer peer = Peer.accept(server);
        peer.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

        ExecutionException e = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
        assertEquals("WebSocket upgrade refused (HTTP 503)", Bot.describe(e));
        assertNull(events.poll(), "the listener hears nothing of a socket that never opened");
    }

    @Test
    void aPortWhereNothingListensIsRefused() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CompletableFuture<WebSocket> connecting = loop.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), Duration.ofSeconds(5), events);

        ExecutionException e = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
        assertEquals("connection refused", Bot.describe(e));
    }

    @Test
    void aServerThatNeverAnswersTimesOut() {
        // The kernel completes the TCP handshake from the backlog; nobody answers the upgrade.
        CompletableFuture<WebSocket> connecting = loop.connect(uri(), Duration.ofMillis(200), events);

        ExecutionException e = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
        assertInstanceOf(HttpConnectTimeoutException.class, e.getCause());
        assertEquals("timed out", Bot.describe(e));
    }

    @Test
    void clientFramesAreMaskedAndRoundTrip() {
        for (int n : new int[] {0, 1, 7, 125, 126, 65535, 65536, 70_001}) {
            byte[] payload = filled(n, n);
            ByteBuffer out = ByteBuffer.allocate(WsFrames.length(n));
            int mask = 0x9A3C_55E1 + n;
            WsFrames.put(out, WsFrames.BINARY, ByteBuffer.wrap(payload), mask);
            assertEquals(out.capacity(), out.position(), "length of a " + n + "-byte frame");

            Frame f = Frame.parse(out.array());
            assertEquals(WsFrames.BINARY, f.opcode);
            assertTrue(f.fin && f.masked);
            assertArrayEquals(payload, f.payload, n + " bytes");
        }
    }

    // ───────────── helpers ─────────────

    /** Every listener call as one line. */
    private static final class Events implements WebSocket.Listener {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        String next() throws InterruptedException {
            String line = lines.poll(5, TimeUnit.SECONDS);
            assertTrue(line != null, "no listener call within 5 s");
            return line;
        }

        String poll() throws InterruptedException {
            return lines.poll(100, TimeUnit.MILLISECONDS);
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            lines.add("open");
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            assertTrue(last, "whole messages");
            byte[] b = new byte[data.remaining()];
            data.get(b);
            boolean uniform = b.length > 100 && Arrays.equals(b, filled(b.length, b[0]));
            lines.add("binary " + (uniform ? b.length + "x" + b[0] : new String(b, StandardCharsets.UTF_8)));
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lines.add("text " + data);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            lines.add("ping " + StandardCharsets.UTF_8.decode(message));
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lines.add("close " + statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lines.add("error " + Bot.describe(error));
        }
    }

    /** The server end of one connection, blocking. */
    private static final class Peer {
        private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key: *(\\S+)");

        final Socket socket;
        final DataInputStream in;
        final OutputStream out;
        final String requestLine;
        final String key;

        private Peer(Socket socket) throws IOException {
            this.socket = socket;
            socket.setTcpNoDelay(true);
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            this.requestLine = head.substring(0, head.indexOf("\r\n"));
            Matcher m = KEY.matcher(head);
            assertTrue(m.find(), "a Sec-WebSocket-Key in " + head);
            this.key = m.group(1);
            assertTrue(head.toString().contains("Sec-WebSocket-Version: 13"), head.toString());
        }

        static Peer accept(ServerSocket server) throws IOException {
            return new Peer(server.accept());
        }

        /** Answers 101, with {@code more} in the same write. */
        void accept(byte[] more) throws IOException {
            String head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + Handshake.accept(key) + "\r\n\r\n";
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(head.getBytes(StandardCharsets.ISO_8859_1));
            all.write(more);
            write(all.toByteArray());
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Writes in pieces of the given sizes (cycling), pausing between them so the reads split. */
        void writeInPieces(byte[] bytes, int... sizes) throws IOException, InterruptedException {
            for (int at = 0, i = 0; at < bytes.length; i++) {
                int n = Math.min(sizes[i % sizes.length], bytes.length - at);
                out.write(bytes, at, n);
                out.flush();
                at += n;
                Thread.sleep(2);
            }
        }

        Frame read() throws IOException {
            return Frame.read(in);
        }
    }

    private record Frame(boolean fin, int opcode, boolean masked, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        static Frame parse(byte[] bytes) {
            try {
                return read(new DataInputStream(new ByteArrayInputStream(bytes)));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        static Frame read(DataInputStream in) throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long n = b1 & 0x7F;
            n = n == 126 ? in.readUnsignedShort() : n == 127 ? in.readLong() : n;
            byte[] mask = new byte[4];
            if ((b1 & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) n];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0F, (b1 & 0x80) != 0, payload);
        }
    }

    /** A server frame: never masked. */
    private static byte[] frame(boolean fin, int opcode, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(payload.length + 10);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (payload.length < 126) {
            b.put((byte) payload.length);
        } else if (payload.length < 65536) {
            b.put((byte) 126).putShort((short) payload.length);
        } else {
            b.put((byte) 127).putLong(payload.length);
        }
        b.put(payload);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] closeBody(int code, String reason) {
        byte[] text = bytes(reason);
        return ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text).array();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
