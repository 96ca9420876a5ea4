package io.roomcast.gateway.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.proto.v1.Ack;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.Error;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Input;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.NamedRoom;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.Welcome;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real WebSocket client (the JDK's) speaking the Roomcast protocol, for integration tests.
 * Every received ServerFrame is queued; tests wait for the frames they expect with a deadline.
 */
public final class TestClient implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final LinkedBlockingQueue<ServerFrame> frames = new LinkedBlockingQueue<>();
    private final List<ServerFrame> received = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicLong receivedWireBytes = new java.util.concurrent.atomic.AtomicLong();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final WebSocket socket;
    private final AtomicInteger ackIds = new AtomicInteger();
    private volatile boolean reading = true;

    private TestClient(URI uri, boolean autoRead) throws Exception {
        this.reading = autoRead;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(TIMEOUT)
                .buildAsync(uri, new Listener())
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public static TestClient connect(int port) throws Exception {
        return new TestClient(URI.create("ws://127.0.0.1:" + port + "/ws"), true);
    }

    /** A client that reads nothing until told: the server's writes back up (a slow consumer). */
    public static TestClient connectNotReading(int port) throws Exception {
        return new TestClient(URI.create("ws://127.0.0.1:" + port + "/ws"), false);
    }

    // ───────────── sending ─────────────

    public void send(ClientFrame frame) {
        sendBytes(frame.toByteArray());
    }

    public void sendBytes(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    public Welcome hello(String name) throws InterruptedException {
        send(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName(name)).build());
        return await(ServerFrame::hasWelcome).getWelcome();
    }

    public Joined quickJoin(String gameType) throws InterruptedException {
        send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setGameType(gameType)).build());
        return await(ServerFrame::hasJoined).getJoined();
    }

    /** Quick-join asking for a room created with {@code options} (those the game filters by must match). */
    public Joined quickJoin(String gameType, Map<String, String> options) throws InterruptedException {
        send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setGameType(gameType).putAllOptions(options)).build());
        return await(ServerFrame::hasJoined).getJoined();
    }

    /** Join-or-create: the room of this name, created of {@code gameType} with {@code options} if nobody holds it. */
    public Joined joinOrCreate(String roomId, String gameType, Map<String, String> options) throws InterruptedException {
        send(ClientFrame.newBuilder().setJoin(Join.newBuilder()
                .setNamed(NamedRoom.newBuilder().setRoomId(roomId).setGameType(gameType)).putAllOptions(options)).build());
        return await(ServerFrame::hasJoined).getJoined();
    }

    /** Sends the join and returns the error that answers it (fails if a Joined comes instead). */
    public Error joinRefused(Join join) throws InterruptedException {
        send(ClientFrame.newBuilder().setJoin(join).build());
        ServerFrame answer = await(f -> f.hasJoined() || f.hasError());
        if (!answer.hasError()) {
            throw new AssertionError("the join was not refused: " + answer);
        }
        return answer.getError();
    }

    public Joined join(String roomId) throws InterruptedException {
        send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(roomId)).build());
        return await(ServerFrame::hasJoined).getJoined();
    }

    public void input(String roomId, int seq, ByteString payload) {
        send(ClientFrame.newBuilder().setInput(Input.newBuilder().setRoomId(roomId).setSeq(seq).setPayload(payload)).build());
    }

    public void emit(Emit emit) {
        send(ClientFrame.newBuilder().setEmit(emit).build());
    }

    /** Emits to the room asking for an ack, and returns that ack (frames before it are skipped). */
    public Ack emitAcked(String roomId, String name, ByteString payload) throws InterruptedException {
        int ackId = ackIds.incrementAndGet();
        emit(Emit.newBuilder().setRoomId(roomId).setName(name).setPayload(payload).setAckId(ackId).build());
        return await(f -> f.hasAck() && f.getAck().getAckId() == ackId).getAck();
    }

    // ───────────── receiving ─────────────

    /** The next frame matching {@code wanted}, skipping (and discarding) others; fails after TIMEOUT. */
    public ServerFrame await(Predicate<ServerFrame> wanted) throws InterruptedException {
        return await(wanted, TIMEOUT);
    }

    public ServerFrame await(Predicate<ServerFrame> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            ServerFrame frame = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
            if (frame == null) {
                throw new AssertionError("no matching frame within " + timeout.toMillis() + " ms (closed: "
                        + (closeCode.isDone() ? closeCode.join() : "no") + ")");
            }
            if (wanted.test(frame)) {
                return frame;
            }
        }
    }

    /** The next frame, or null if none arrives within {@code timeout}. */
    public ServerFrame poll(Duration timeout) throws InterruptedException {
        return frames.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Every frame that arrives within {@code window}, in order. */
    public List<ServerFrame> collect(Duration window) throws InterruptedException {
        List<ServerFrame> out = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            ServerFrame frame = frames.poll(left, TimeUnit.NANOSECONDS);
            if (frame != null) {
                out.add(frame);
            }
        }
        return out;
    }

    /** Frames received so far and not yet consumed. */
    public List<ServerFrame> drain() {
        List<ServerFrame> out = new ArrayList<>();
        frames.drainTo(out);
        return out;
    }

    /** The close code the server sent; fails if the socket is still open after TIMEOUT. */
    public int awaitClose() throws Exception {
        return closeCode.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isClosed() {
        return closeCode.isDone();
    }

    public void startReading() {
        reading = true;
        socket.request(Long.MAX_VALUE);
    }

    /** Every frame received so far, in order, whether or not a wait consumed it. */
    public List<ServerFrame> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /**
     * The bytes of every binary message received so far as the server wrote them: each unmasked
     * WebSocket frame's header (2, 4 or 10 bytes by payload length) and payload.
     */
    public long receivedWireBytes() {
        return receivedWireBytes.get();
    }

    /** Starts the close handshake with {@code code} (the server echoes it, then closes the connection). */
    public void sendClose(int code) {
        socket.sendClose(code, "").join();
    }

    /** Drops the TCP connection without a close handshake, as a lost network would. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(reading ? Long.MAX_VALUE : 0);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.writeBytes(chunk);
            if (last) {
                try {
                    byte[] message = partial.toByteArray();
                    ServerFrame frame = ServerFrame.parseFrom(message);
                    received.add(frame);
                    receivedWireBytes.addAndGet((message.length < 126 ? 2 : message.length <= 0xFFFF ? 4 : 10) + message.length);
                    frames.add(frame);
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError("the server sent bytes that are not a ServerFrame", e);
                } finally {
                    partial.reset();
                }
            }
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            throw new AssertionError("the server sent a text frame: " + data);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.complete(-1);
        }
    }
}
