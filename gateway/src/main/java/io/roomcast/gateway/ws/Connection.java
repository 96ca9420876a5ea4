package io.roomcast.gateway.ws;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.gateway.LogContext;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.auth.Authenticator;
import io.roomcast.gateway.auth.Identity;
import io.roomcast.gateway.session.ServerFrames;
import io.roomcast.gateway.session.FrameSink;
import io.roomcast.gateway.session.Session;
import io.roomcast.gateway.session.SessionRegistry;
import io.roomcast.gateway.ws.wire.FrameDecoder;
import io.roomcast.gateway.ws.wire.WireFrame;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Input;
import io.roomcast.proto.v1.Pong;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.Welcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.xnio.XnioExecutor;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One client socket: decodes its frames, runs the session state machine (hello first), enforces
 * the per-connection limits, and writes frames to it with a bounded send queue.
 *
 * <p>Threading: receive callbacks run on the socket's XNIO I/O thread, which alone reads and
 * writes {@link #session} and the limiters; {@link #send} and {@link #close} may be called from
 * any thread (rooms and the bus send from theirs).
 */
final class Connection implements WsSocket.Listener, FrameSink, IoLoop.Target {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /** Invalid frames tolerated on one connection before it is closed with 4000. */
    private static final int MAX_BAD_FRAMES = 20;
    private static final long RATE_LIMIT_ERROR_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final WsSocket socket;
    private final WsServices services;
    private final Consumer<Connection> onClosed;
    private final Authenticator authenticator;
    private final InetAddress remoteAddress;
    private final String origin;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final InputFrameReader inputs = new InputFrameReader();
    private XnioExecutor.Key handshakeTimer;
    private Session session;
    private boolean adopting; // a resume token of another node is being looked up: no frame is taken meanwhile
    private int badFrames;
    private long lastRateLimitErrorNanos = Long.MIN_VALUE / 2;
    private volatile long behindSinceNanos; // 0 while the client keeps up; else since when its states are dropped

    /** On the socket's I/O thread; {@code onClosed} runs once the socket is closed. */
    Connection(WsSocket socket, WsServices services, Authenticator authenticator, InetAddress remoteAddress,
               String origin, Consumer<Connection> onClosed) {
        this.socket = socket;
        this.services = services;
        this.onClosed = onClosed;
        this.authenticator = authenticator;
        this.remoteAddress = remoteAddress;
        this.origin = origin;
    }

    void start() {
        services.metrics().connectionsOpened.increment();
        handshakeTimer = socket.ioThread().executeAfter(this::handshakeTimedOut,
                services.config().handshakeTimeoutMs, TimeUnit.MILLISECONDS);
        socket.start(this);
    }

    // ───────────── receiving (I/O thread) ─────────────

    @Override
    public void onText() {
        services.metrics().textFrames.increment();
        close(CloseCodes.UNSUPPORTED_DATA, "binary protobuf frames only");
    }

    @Override
    public void onViolation(int code, String reason) {
        closing.set(true); // the socket sends the close frame itself
        if (code == FrameDecoder.CLOSE_TOO_BIG) {
            services.metrics().oversizeFrames.increment();
        } else {
            services.metrics().protocolViolations.increment();
            try (var ignored = LogContext.session(sessionId())) {
                log.debug("client broke the WebSocket protocol ({}): {}", code, reason);
            }
        }
    }

    @Override
    public void onWriteFailed(IOException error) {
        services.metrics().sendErrors.increment();
        try (var ignored = LogContext.session(sessionId())) {
            log.debug("send failed, closing", error);
        }
    }

    @Override
    public void onBinary(ByteBuffer message) {
        if (session != null && !adopting && inputs.read(message)) {
            services.metrics().frameIn(ClientFrame.BodyCase.INPUT);
            input(inputs.roomId(), inputs.seq(), inputs.payload(), inputs.requestId());
            return;
        }
        ClientFrame frame;
        try {
            frame = ClientFrame.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            services.metrics().undecodableFrameIn();
            try (var ignored = LogContext.session(sessionId())) {
                log.debug("undecodable frame: {}", e.getMessage()); // the parser's words are not the client's business
                badFrame(0, "not a ClientFrame");
            }
            return;
        }
        ClientFrame.BodyCase body = frame.getBodyCase();
        services.metrics().frameIn(body);
        // The session's id in the MDC around the frame's work, except for inputs and pings: they come
        // many times a second and log nothing, and an MDC entry costs a map entry each time.
        boolean tagged = session != null && body != ClientFrame.BodyCase.INPUT && body != ClientFrame.BodyCase.PING;
        if (tagged) {
            MDC.put(LogContext.SESSION, session.id());
        }
        try {
            if (adopting) {
                send(ServerFrames.error(ErrorCode.HELLO_REQUIRED, "the resume is being looked up: wait for the Welcome",
                        frame.getRequestId()));
            } else if (session == null) {
                handshake(frame);
            } else {
                dispatch(frame);
            }
        } finally {
            if (tagged) {
                MDC.remove(LogContext.SESSION);
            }
        }
    }

    /** The session's id, or null before the Welcome. */
    private String sessionId() {
        Session current = session;
        return current == null ? null : current.id();
    }

    private void handshake(ClientFrame frame) {
        if (!frame.hasHello()) {
            send(ServerFrames.error(ErrorCode.HELLO_REQUIRED, "the first frame must be a hello", frame.getRequestId()));
            close(CloseCodes.HELLO_REQUIRED, "hello required");
            return;
        }
        Hello hello = frame.getHello();
        int requestId = frame.getRequestId();
        if (hello.getProtocolVersion() != WsServices.PROTOCOL_VERSION) {
            send(ServerFrames.error(ErrorCode.UNSUPPORTED_VERSION, "this node speaks protocol version "
                    + WsServices.PROTOCOL_VERSION + ", not " + hello.getProtocolVersion(), requestId));
            close(CloseCodes.UNSUPPORTED_VERSION, "unsupported protocol version");
            return;
        }
        String name = hello.getPlayerName().strip();
        if (!Identity.validName(name)) {
            send(ServerFrames.error(ErrorCode.INVALID_ARGUMENT, "player_name must be 1..32 printable characters", requestId));
            return;
        }
        if (services.draining().get()) {
            send(ServerFrames.error(ErrorCode.NODE_DRAINING, "this node is shutting down", requestId));
            close(CloseCodes.SERVICE_RESTART, "node draining");
            return;
        }
        handshakeTimer.remove();
        SessionRegistry sessions = services.sessions();
        if (hello.getResumeToken().isEmpty()) {
            openSession(hello, name, requestId, false);
            return;
        }
        SessionRegistry.Resumed resumed = sessions.resume(hello.getResumeToken(), this, s -> welcome(s, true));
        if (resumed != null) {
            services.metrics().resumes.increment(NodeMetrics.RESUMED);
            session = resumed.session();
            if (resumed.replaced() != null) {
                resumed.replaced().close(CloseCodes.SESSION_REPLACED, "session resumed on another socket");
            }
            services.rooms().resumed(session, hello.getCursorsList());
            return;
        }
        // Not a session of this node: another node's, whose record any node can take (once).
        adopting = true;
        sessions.adopt(hello.getResumeToken(), this, s -> welcome(s, true)).whenComplete((adopted, failure) ->
                socket.ioThread().execute(() -> adopted(adopted, name, requestId, hello)));
    }

    /** I/O thread: the lookup of another node's session ended. */
    private void adopted(Session adopted, String name, int requestId, Hello hello) {
        adopting = false;
        if (adopted == null) {
            services.metrics().resumes.increment(NodeMetrics.RESUME_FAILED);
            if (!closing.get()) {
                openSession(hello, name, requestId, true);
            }
            return;
        }
        session = adopted;
        try (var ignored = LogContext.session(adopted.id())) {
            if (closing.get()) {
                services.sessions().detach(adopted, this); // gone meanwhile: its seats wait for the grace as usual
                return;
            }
            services.metrics().resumes.increment(NodeMetrics.RESUMED_FROM_ANOTHER_NODE); // also resumed_from_another_node_total
            services.rooms().resumed(session, hello.getCursorsList());
        }
    }

    /** A new session — or, for a verified player who has one on this node already, that one taken over. */
    private void openSession(Hello hello, String name, int requestId, boolean resumeFailed) {
        Authenticator.Verdict verdict = authenticator.verify(
                new Authenticator.Attempt(hello.getAuthToken(), name, remoteAddress, origin));
        if (verdict instanceof Authenticator.Refused refused) {
            services.metrics().authRefused.increment();
            send(ServerFrames.error(ErrorCode.UNAUTHORIZED, refused.reason(), requestId));
            close(CloseCodes.UNAUTHORIZED, "unauthorized");
            return;
        }
        Identity identity = ((Authenticator.Accepted) verdict).identity();
        SessionRegistry.Opened opened = services.sessions().openAs(identity.playerId(), identity.playerName(), this, this::welcome);
        if (opened == null) {
            close(CloseCodes.TRY_AGAIN_LATER, "node full");
            return;
        }
        session = opened.session();
        if (opened.tookOver()) {
            // The player's second connection to this node: it takes the session (and its seats) over.
            if (opened.replaced() != null) {
                opened.replaced().close(CloseCodes.SESSION_REPLACED, "the player connected again on another socket");
            }
            services.rooms().resumed(session, hello.getCursorsList());
        } else if (resumeFailed) {
            send(ServerFrames.error(ErrorCode.RESUME_FAILED,
                    "resume token unknown or expired: this is a new session", requestId));
        }
    }

    private void welcome(Session s, boolean resumed) {
        send(ServerFrame.newBuilder().setWelcome(Welcome.newBuilder()
                .setProtocolVersion(WsServices.PROTOCOL_VERSION)
                .setSessionId(s.id())
                .setNodeId(services.nodeId())
                .setResumeToken(s.resumeToken())
                .setServerTimeMs(services.clock().currentTimeMillis())
                .setLimits(services.limits())
                .setResumed(resumed)).build().toByteArray());
    }

    private void dispatch(ClientFrame frame) {
        int requestId = frame.getRequestId();
        switch (frame.getBodyCase()) {
            case INPUT -> {
                Input input = frame.getInput();
                inputs.remember(input.getRoomId()); // the next inputs for this room skip the parse
                input(input.getRoomId(), input.getSeq(), input.getPayload(), requestId);
            }
            case PING -> send(ServerFrame.newBuilder().setPong(Pong.newBuilder()
                    .setClientTimeMs(frame.getPing().getClientTimeMs())
                    .setServerTimeMs(services.clock().currentTimeMillis())).build().toByteArray());
            case EMIT -> {
                if (session.emits().tryAcquire(services.clock().nanoTime())) {
                    services.rooms().emit(session, frame.getEmit(), requestId);
                } else {
                    rateLimited("emits", services.config().maxEmitsPerSecond, requestId, frame.getEmit().getAckId());
                }
            }
            case JOIN -> services.rooms().join(session, frame.getJoin(), requestId);
            case LEAVE -> services.rooms().leave(session, frame.getLeave().getRoomId(), requestId);
            case KEYFRAME_REQUEST -> services.rooms().requestKeyframe(session, frame.getKeyframeRequest().getRoomId(), requestId);
            case HELLO -> send(ServerFrames.error(ErrorCode.ALREADY_WELCOMED, "hello was already answered", requestId));
            case BODY_NOT_SET -> badFrame(requestId, "frame has no body (or one this node does not know)");
        }
    }

    private void input(String roomId, int seq, ByteString payload, int requestId) {
        if (!session.inputs().tryAcquire(services.clock().nanoTime())) {
            rateLimited("inputs", services.config().maxInputsPerSecond, requestId, 0);
            return;
        }
        switch (services.rooms().input(session, roomId, seq, payload)) {
            case QUEUED -> { }
            case NOT_IN_ROOM -> send(ServerFrames.error(ErrorCode.NOT_IN_ROOM, "not in room " + roomId, requestId));
            case QUEUE_FULL -> {
                services.metrics().inputsQueueFull.increment();
                send(ServerFrames.error(ErrorCode.RATE_LIMITED, "the room's input queue is full", requestId));
            }
        }
    }

    /** Drops the frame; says so at most once a second (an ack asked for is always answered). */
    private void rateLimited(String what, int perSecond, int requestId, int ackId) {
        services.metrics().rateLimited.increment();
        String message = "over " + perSecond + " " + what + " per second: dropped";
        if (ackId != 0) {
            send(ServerFrames.ack(ackId, false, ErrorCode.RATE_LIMITED, message));
            return;
        }
        long now = services.clock().nanoTime();
        if (now - lastRateLimitErrorNanos >= RATE_LIMIT_ERROR_INTERVAL_NANOS) {
            lastRateLimitErrorNanos = now;
            send(ServerFrames.error(ErrorCode.RATE_LIMITED, message, requestId));
        }
    }

    private void badFrame(int requestId, String why) {
        services.metrics().badFrames.increment();
        send(ServerFrames.error(ErrorCode.BAD_FRAME, why, requestId));
        if (session == null) {
            close(CloseCodes.HELLO_REQUIRED, "hello required");
        } else if (++badFrames > MAX_BAD_FRAMES) {
            close(CloseCodes.BAD_FRAMES, "too many invalid frames");
        }
    }

    private void handshakeTimedOut() {
        // A socket already closing (a violation, a 4001) waits up to a second for its close
        // handshake: its timer may fire meanwhile, but it did not time out.
        if (session == null && !closing.get()) {
            services.metrics().handshakeTimeouts.increment();
            close(CloseCodes.HANDSHAKE_TIMEOUT, "no hello within " + services.config().handshakeTimeoutMs + " ms");
        }
    }

    @Override
    public void onClosed(int closeCode) {
        services.metrics().connectionClosed(closeCode);
        closing.set(true);
        if (handshakeTimer != null) {
            handshakeTimer.remove();
        }
        if (session != null) {
            try (var ignored = LogContext.session(session.id())) {
                services.sessions().detach(session, this);
            }
        }
        onClosed.accept(this);
    }

    // ───────────── sending (any thread) ─────────────

    @Override
    public void send(byte[] serverFrame) {
        if (!closing.get()) {
            ServerFrame.BodyCase body = ServerFrames.bodyOf(serverFrame);
            send(WireFrame.binaryForOne(serverFrame, body == ServerFrame.BodyCase.STATE, body));
        }
    }

    @Override
    public void send(WireFrame frame) {
        if (closing.get()) {
            return;
        }
        SendBurst burst = SendBurst.active();
        if (burst != null) {
            burst.add(socket.loop(), this, frame); // sent on the I/O thread: sendHere
            return;
        }
        afterOffer(frame, socket.trySend(frame, services.config().sendQueueBytes));
    }

    /** The I/O thread that owns the socket. */
    IoLoop loop() {
        return socket.loop();
    }

    /** On the socket's I/O thread, from its loop's drain: a send gathered by a {@link SendBurst}. */
    void sendHere(WireFrame frame) {
        if (queueHere(frame)) {
            services.metrics().frameOut(frame.body());
        }
    }

    /**
     * On the socket's I/O thread, from its loop's drain: queues the frame as {@link #sendHere}
     * does, but leaves counting it to the caller (a {@link Recipients} group counts its members'
     * copies of a frame at once, with {@link #countOut}); true if it was queued.
     */
    boolean queueHere(WireFrame frame) {
        return !closing.get() && offered(frame, socket.trySendHere(frame, services.config().sendQueueBytes));
    }

    /** Counts {@code count} copies of {@code frame} queued on this node's sockets. */
    void countOut(WireFrame frame, int count) {
        services.metrics().framesOut(frame.body(), count);
    }

    /** Counts a frame queued, or handles one that did not fit. */
    private void afterOffer(WireFrame frame, boolean queued) {
        if (offered(frame, queued)) {
            services.metrics().frameOut(frame.body());
        }
    }

    /** Handles a frame that did not fit (latest-wins for states, else the client is cut off); returns {@code queued}. */
    private boolean offered(WireFrame frame, boolean queued) {
        if (queued) {
            if (frame.droppable() && behindSinceNanos != 0) {
                behindSinceNanos = 0; // a state went out: the client caught up
            }
        } else if (frame.droppable()) {
            services.metrics().statesDropped.increment(); // latest-wins: the client asks for a keyframe
            long now = System.nanoTime();
            long since = behindSinceNanos;
            if (since == 0) {
                behindSinceNanos = now;
            } else if (now - since > TimeUnit.MILLISECONDS.toNanos(services.config().slowConsumerMs)) {
                cutSlowConsumer("states dropped for " + TimeUnit.NANOSECONDS.toMillis(now - since) + " ms");
            }
        } else {
            cutSlowConsumer("a reliable frame did not fit in " + services.config().sendQueueBytes + " bytes");
        }
        return queued;
    }

    /**
     * The client does not keep up — by bytes (a reliable frame would not fit) or by time (its
     * states have been dropped for --slow-consumer-ms): 4008, sent ahead of what it has not read.
     */
    private void cutSlowConsumer(String why) {
        if (closing.compareAndSet(false, true)) {
            services.metrics().slowConsumerCloses.increment();
            try (var ignored = LogContext.session(sessionId())) {
                log.debug("slow consumer: {}", why);
            }
            socket.closeAhead(CloseCodes.SLOW_CONSUMER, "slow consumer");
        }
    }

    @Override
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            socket.close(code, reason);
        }
    }
}
