package io.roomcast.bots;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.proto.v1.Ack;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.Left;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.Welcome;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One bot player: one WebSocket (a {@link LeanWebSocket} on one of the {@link Transport}'s
 * socket loops) speaking the Roomcast protocol. It connects, says Hello, joins; subclasses say
 * what to send and what to measure.
 *
 * <p>Receiving: states and events (the frames that arrive by the thousand) are read in place
 * by a per-bot {@link Wire} and handed to {@link #onState}/{@link #onEvent} with their receipt
 * time, without allocating; other frames are parsed with the generated classes. The socket
 * hands over whole messages (fragments joined), in a buffer valid only during the call.
 *
 * <p>Sending: one frame in flight at a time. A frame is written at once when the socket takes
 * it; one it does not take is finished by the socket's loop, and the frames sent meanwhile wait
 * in a small per-bot outbox (bounded: a full one means the socket cannot keep up). A close goes
 * through the same queue, after them.
 *
 * <p>Threading: the socket loop calls the listener methods of one socket one at a time (on its
 * thread); {@link #send} may be called from any thread.
 */
public abstract class Bot implements WebSocket.Listener {

    /** Frames waiting behind the one in flight; more means the socket cannot keep up. */
    private static final int MAX_OUTBOX = 1024;
    private static final ByteBuffer CLOSE = ByteBuffer.allocate(0);

    protected final Run run;
    public final int index;
    public final URI uri;
    public final String name;
    protected final Wire wire = new Wire();

    private volatile WebSocket socket;
    private final ArrayDeque<ByteBuffer> outbox = new ArrayDeque<>();
    private boolean sending;
    private final AtomicBoolean counted = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Set when we close on purpose: what follows is not an error. */
    protected volatile boolean closing;

    protected final CompletableFuture<Welcome> welcomed = new CompletableFuture<>();
    private CompletableFuture<Joined> pendingJoin;
    private int pendingJoinRequest;
    private int nextRequestId = 1;
    protected volatile Welcome welcome;
    protected volatile Joined joined;

    protected Bot(Run run, int index, URI uri, String name) {
        this.run = run;
        this.index = index;
        this.uri = uri;
        this.name = name;
    }

    // ───────────── connect, hello, join ─────────────

    /** Opens the socket and says Hello; completes with the Welcome (or a {@link BotFailure}). */
    public CompletableFuture<Welcome> connect() {
        Duration timeout = run.options.connectTimeout;
        run.transport.connect(index, uri, timeout, this)
                .whenComplete((ws, failure) -> {
                    if (failure != null) {
                        welcomed.completeExceptionally(new BotFailure(connectFailure(uri, failure), failure));
                    } else {
                        socket = ws;
                        send(helloFrame());
                    }
                });
        return welcomed.orTimeout(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    /** The first frame: a Hello (a subclass that resumes overrides it). */
    protected byte[] helloFrame() {
        return Frames.hello(name);
    }

    /** Quick-joins a game; completes with the Joined (or a {@link BotFailure} naming the error). */
    public CompletableFuture<Joined> quickJoin(String gameType) {
        return join(id -> Frames.quickJoin(id, gameType));
    }

    public CompletableFuture<Joined> join(String roomId) {
        return join(id -> Frames.join(id, roomId));
    }

    private CompletableFuture<Joined> join(java.util.function.IntFunction<byte[]> frame) {
        CompletableFuture<Joined> future = new CompletableFuture<>();
        int requestId;
        synchronized (this) {
            requestId = nextRequestId++;
            pendingJoin = future;
            pendingJoinRequest = requestId;
        }
        send(frame.apply(requestId));
        return future.orTimeout(run.options.connectTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    public Joined joined() {
        return joined;
    }

    public Welcome welcome() {
        return welcome;
    }

    public boolean isOpen() {
        WebSocket ws = socket;
        return ws != null && !ws.isInputClosed() && !ws.isOutputClosed() && !closed.isDone();
    }

    // ───────────── sending ─────────────

    /** Sends one frame (the bytes must not change afterwards); queued while another is in flight. */
    public void send(byte[] frame) {
        enqueue(ByteBuffer.wrap(frame));
    }

    /** Leaves the room (if in one) and closes the socket normally, after what is queued. */
    public void close() {
        closing = true;
        Joined j = joined;
        if (j != null && socket != null) {
            send(Frames.leave(j.getRoomId()));
        }
        if (socket != null) {
            enqueue(CLOSE);
        } else {
            closed.complete(null);
        }
    }

    /** Completes when the socket is closed (by either side) or failed. */
    public CompletableFuture<Void> closedFuture() {
        return closed;
    }

    /** Drops the connection at once (no close handshake). */
    public void abort() {
        closing = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        finish();
    }

    private void enqueue(ByteBuffer frame) {
        synchronized (outbox) {
            if (sending) {
                if (outbox.size() >= MAX_OUTBOX && frame != CLOSE) {
                    run.error(run.sendErrors, "send: outbox full (socket not keeping up)", uri.toString());
                    return;
                }
                outbox.add(frame);
                return;
            }
            sending = true;
        }
        transmit(frame);
    }

    /** Sends {@code frame}, then what the outbox holds, until one has to wait for the socket's loop. */
    private void transmit(ByteBuffer frame) {
        for (ByteBuffer next = frame; next != null; next = nextInOutbox()) {
            WebSocket ws = socket;
            if (ws == null) {
                synchronized (outbox) {
                    sending = false;
                    outbox.clear();
                }
                return;
            }
            CompletableFuture<WebSocket> done = next == CLOSE
                    ? ws.sendClose(WebSocket.NORMAL_CLOSURE, "bots done")
                    : ws.sendBinary(next, true);
            if (!done.isDone()) {
                done.whenComplete((w, failure) -> {
                    sent(failure);
                    transmit(nextInOutbox());
                });
                return;
            }
            sent(done.isCompletedExceptionally() ? done.exceptionNow() : null);
        }
    }

    private void sent(Throwable failure) {
        if (failure != null && !closing && !closed.isDone()) {
            run.error(run.sendErrors, "send: " + describe(failure), uri.toString());
        }
    }

    /** The next frame to send, or null (and no longer sending) when the outbox is empty. */
    private ByteBuffer nextInOutbox() {
        synchronized (outbox) {
            ByteBuffer next = outbox.poll();
            sending = next != null;
            return next;
        }
    }

    // ───────────── receiving (WebSocket.Listener) ─────────────

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        receive(data);
        return null;
    }

    private void receive(ByteBuffer frame) {
        long now = run.clock.micros();
        int body;
        try {
            body = wire.read(frame);
        } catch (IllegalArgumentException e) {
            run.error(run.protocolErrors, "undecodable frame", e.getMessage());
            return;
        }
        if (body == Wire.STATE) {
            onState(wire, now);
        } else if (body == Wire.EVENT) {
            onEvent(wire, frame, now);
        } else {
            ServerFrame parsed;
            try {
                parsed = ServerFrame.parseFrom(frame);
            } catch (InvalidProtocolBufferException e) {
                run.error(run.protocolErrors, "undecodable frame", e.getMessage());
                return;
            }
            control(parsed, now);
        }
    }

    private void control(ServerFrame frame, long now) {
        switch (frame.getBodyCase()) {
            case WELCOME -> {
                welcome = frame.getWelcome();
                if (counted.compareAndSet(false, true)) {
                    run.connected.increment();
                }
                onWelcome(frame.getWelcome());
                welcomed.complete(frame.getWelcome());
            }
            case JOINED -> {
                // Kept without its keyframe: in a big room it is large (every entity).
                joined = frame.getJoined().toBuilder().clearKeyframe().build();
                onJoined(frame.getJoined());
                CompletableFuture<Joined> pending;
                synchronized (this) {
                    pending = pendingJoin;
                    pendingJoin = null;
                }
                if (pending != null) {
                    pending.complete(frame.getJoined());
                }
            }
            case ERROR -> {
                var error = frame.getError();
                CompletableFuture<Joined> pending = null;
                synchronized (this) {
                    if (pendingJoin != null && error.getRequestId() == pendingJoinRequest) {
                        pending = pendingJoin;
                        pendingJoin = null;
                    }
                }
                if (pending != null) {
                    pending.completeExceptionally(new BotFailure("join refused: " + error.getCode() + " " + error.getMessage(), null));
                } else if (!onErrorFrame(error)) {
                    run.error(run.protocolErrors, "error frame: " + error.getCode(), error.getMessage());
                }
            }
            case LEFT -> {
                Joined j = joined;
                if (j != null && j.getRoomId().equals(frame.getLeft().getRoomId())) {
                    joined = null; // no Leave for it when closing
                }
                onLeft(frame.getLeft());
            }
            case ACK -> onAck(frame.getAck());
            case PONG -> onPong(frame.getPong().getClientTimeMs(), now);
            default -> run.error(run.protocolErrors, "unexpected frame: " + frame.getBodyCase(), null);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        run.error(run.protocolErrors, "text frame from the server", null);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (!closing) {
            run.error(run.dropped, "closed by the server: " + statusCode, reason);
            onDropped(statusCode, reason);
        }
        finish();
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (!closing) {
            run.error(run.dropped, "connection lost: " + describe(error), uri.toString());
            onDropped(-1, describe(error));
        }
        finish();
    }

    private void finish() {
        if (counted.compareAndSet(true, false)) {
            run.connected.decrement();
        }
        welcomed.completeExceptionally(new BotFailure("the connection closed before the Welcome", null));
        synchronized (this) {
            if (pendingJoin != null) {
                pendingJoin.completeExceptionally(new BotFailure("the connection closed before the Joined", null));
                pendingJoin = null;
            }
        }
        closed.complete(null);
    }

    // ───────────── hooks ─────────────

    /** A state of a room this bot is in; {@code wire} holds what was read (see {@link Wire}). */
    protected void onState(Wire wire, long receivedMicros) {}

    /** An event; its payload lies in {@code frame} at {@code wire.payloadOffset}. */
    protected void onEvent(Wire wire, ByteBuffer frame, long receivedMicros) {}

    protected void onWelcome(Welcome welcome) {}

    protected void onJoined(Joined joined) {}

    /** The seat is gone; unexpected unless we are closing (we sent the Leave). */
    protected void onLeft(Left left) {
        if (closing && left.getReason() == io.roomcast.proto.v1.LeaveReason.LEAVE_REQUESTED) {
            return;
        }
        run.error(run.protocolErrors, "left the room: " + left.getReason(), left.getDetail());
    }

    protected void onAck(Ack ack) {
        if (!ack.getOk()) {
            run.error(run.protocolErrors, "ack refused: " + ack.getError(), ack.getMessage());
        }
    }

    protected void onPong(long clientTimeMs, long receivedMicros) {}

    /** An error frame not answering a join; return true when handled (not counted). */
    protected boolean onErrorFrame(io.roomcast.proto.v1.Error error) {
        return false;
    }

    /** The socket dropped without our asking (already counted). */
    protected void onDropped(int code, String reason) {}

    // ───────────── failures ─────────────

    /** A one-line reason for a failed connect, e.g. "connection refused". */
    static String connectFailure(URI uri, Throwable failure) {
        return "cannot connect to " + uri + ": " + describe(failure);
    }

    static String describe(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof ConnectException) {
                break;
            }
            root = root.getCause();
        }
        if (t instanceof BotFailure) {
            return t.getMessage();
        }
        if (t instanceof ConnectException || root instanceof ConnectException) {
            return "connection refused";
        }
        if (t instanceof HttpConnectTimeoutException || t instanceof HttpTimeoutException
                || t instanceof java.util.concurrent.TimeoutException) {
            return "timed out";
        }
        if (t instanceof Handshake.Failure) {
            return t.getMessage();
        }
        if (t instanceof EOFException) {
            return "the server closed the connection";
        }
        if (t instanceof ClosedChannelException) {
            return "connection closed";
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** A bot could not do what it was asked; the message is one line for the user. */
    public static final class BotFailure extends RuntimeException {
        public BotFailure(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
