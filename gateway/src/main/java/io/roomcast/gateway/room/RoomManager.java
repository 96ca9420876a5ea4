package io.roomcast.gateway.room;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.roomcast.core.loop.Clock;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.runtime.EmitResult;
import io.roomcast.core.runtime.JoinResult;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.cluster.RoomDirectory;
import io.roomcast.gateway.cluster.RoomOwnership;
import io.roomcast.gateway.cluster.SnapshotStore;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.session.Session;
import io.roomcast.proto.cluster.EmitReply;
import io.roomcast.proto.cluster.EmitRequest;
import io.roomcast.proto.cluster.HostSnapshot;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;
import io.roomcast.proto.cluster.KeyframeRequest;
import io.roomcast.proto.cluster.LeaveRequest;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.PlayerFrame;
import io.roomcast.proto.cluster.RoomInput;
import io.roomcast.proto.cluster.SeatRemoved;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.proto.v1.RoomCursor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Rooms as this node sees them: the ones it owns (a {@link RoomHost} each) and the ones it has
 * members in (a {@link RoomFanout} each, whoever owns the room). A session's request goes to the
 * room's owner — handled here directly when that is this node, else sent to the owner's inbox —
 * and the owner's answer comes back the same way. One code path serves the single node and the
 * cluster. Callers are I/O threads and the bus; every touch of a runtime happens in a task on
 * that room's serial executor. Thread-safe.
 */
public final class RoomManager {

    private static final Logger log = LoggerFactory.getLogger(RoomManager.class);
    /** Quick-join tries this many rooms that turn out full or gone before giving up. */
    private static final int QUICK_JOIN_ATTEMPTS = 3;
    /** A join the owner has not answered within this is reported as failed. */
    private static final long JOIN_TIMEOUT_MS = 5_000;
    /** Inputs for a remote owner are gathered this long before one publish. */
    private static final long INPUT_WINDOW_MICROS = 5_000;
    private static final String ROOM_ID_CHARS = "abcdefghijkmnpqrstuvwxyz23456789";

    /** What became of an input. */
    public enum InputOutcome { QUEUED, NOT_IN_ROOM, QUEUE_FULL }

    private record PendingJoin(Session session, String roomId, int requestId, Runnable retry,
                               ScheduledFuture<?> timeout) {}

    private final String nodeId;
    private final NodeConfig config;
    private final Map<String, RoomType<?>> games = new ConcurrentHashMap<>();
    private final RoomDirectory directory;
    private final RoomOwnership ownership;
    private final SnapshotStore snapshots;
    private final MessageBus bus;
    private final RoomWorkers workers;
    private final Clock clock;
    private final NodeMetrics metrics;
    private final Function<String, Session> sessions;
    private final InputBatcher inputBatcher;
    private final ConcurrentHashMap<String, RoomHost> hosts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RoomFanout> fanouts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, PendingJoin> pendingJoins = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();
    private final AtomicInteger roomSlots = new AtomicInteger();
    private final java.util.Set<String> takingOver = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();
    private MessageBus.Subscription inbox;
    private ScheduledFuture<?> leaseRenewal;

    public RoomManager(String nodeId, NodeConfig config, Collection<RoomType<?>> games, RoomDirectory directory,
                       RoomOwnership ownership, SnapshotStore snapshots, MessageBus bus, RoomWorkers workers,
                       Clock clock, NodeMetrics metrics, Function<String, Session> sessions) {
        this.nodeId = nodeId;
        this.config = config;
        games.forEach(type -> this.games.put(type.name(), type));
        this.directory = directory;
        this.ownership = ownership;
        this.snapshots = snapshots;
        this.bus = bus;
        this.workers = workers;
        this.clock = clock;
        this.metrics = metrics;
        this.sessions = sessions;
        this.inputBatcher = new InputBatcher(nodeId, bus, workers.timer(), INPUT_WINDOW_MICROS);
    }

    /**
     * Listens to this node's inbox; every third of the lease, renews the leases of owned rooms
     * and looks for rooms with local members whose owner went silent.
     */
    public void start() {
        inbox = bus.subscribeNode(nodeId, this::onNodeMessage);
        long every = Math.max(100, config.leaseMs / 3);
        leaseRenewal = workers.timer().scheduleWithFixedDelay(() -> {
            renewLeases();
            takeOverSilentRooms();
        }, every, every, TimeUnit.MILLISECONDS);
    }

    public int roomCount() {
        return hosts.size();
    }

    /** Rooms this node owns and ticks. */
    public Collection<String> ownedRooms() {
        return hosts.keySet();
    }

    public Collection<String> gameTypes() {
        return games.keySet();
    }

    // ───────────── requests from this node's sessions (I/O threads) ─────────────

    public void join(Session session, Join join, int requestId) {
        if (session.roomCount() >= config.maxRoomsPerSession) {
            session.send(ServerFrames.error(ErrorCode.TOO_MANY_ROOMS,
                    "a session may be in at most " + config.maxRoomsPerSession + " rooms", requestId));
            return;
        }
        switch (join.getTargetCase()) {
            case ROOM_ID -> locate(join.getRoomId()).whenComplete((owner, failure) -> {
                if (owner == null) {
                    session.send(ServerFrames.error(ErrorCode.ROOM_NOT_FOUND, "no room " + join.getRoomId(), requestId));
                } else if (session.inRoom(join.getRoomId())) {
                    session.send(ServerFrames.error(ErrorCode.ALREADY_IN_ROOM, "already in room " + join.getRoomId(), requestId));
                } else {
                    requestSeat(session, join.getRoomId(), owner, requestId, null, null);
                }
            });
            case GAME_TYPE -> quickJoin(session, join.getGameType(), requestId, QUICK_JOIN_ATTEMPTS);
            default -> session.send(ServerFrames.error(ErrorCode.INVALID_ARGUMENT,
                    "join needs a room_id or a game_type", requestId));
        }
    }

    /** Queues an input for the room's next tick; no task, no lock, a batched publish when remote. */
    public InputOutcome input(Session session, String roomId, int seq, ByteString payload) {
        if (!session.inRoom(roomId)) {
            return InputOutcome.NOT_IN_ROOM;
        }
        RoomHost host = hosts.get(roomId);
        if (host != null) {
            return host.runtime().offerInput(session.id(), seq, payload) ? InputOutcome.QUEUED : InputOutcome.QUEUE_FULL;
        }
        String owner = ownerOf(roomId);
        if (owner == null) {
            return InputOutcome.NOT_IN_ROOM;
        }
        inputBatcher.add(owner, RoomInput.newBuilder().setRoomId(roomId).setPlayerId(session.id())
                .setSeq(seq).setPayload(payload).build());
        return InputOutcome.QUEUED;
    }

    public void leave(Session session, String roomId, int requestId) {
        if (!session.inRoom(roomId)) {
            session.send(ServerFrames.error(ErrorCode.NOT_IN_ROOM, "not in room " + roomId, requestId));
            return;
        }
        String owner = ownerOf(roomId);
        forgetMembership(session, roomId);
        session.send(ServerFrames.left(roomId, LeaveReason.LEAVE_REQUESTED, ""));
        toOwner(owner, NodeMessage.newBuilder().setLeaveRequest(
                LeaveRequest.newBuilder().setRoomId(roomId).setPlayerId(session.id())));
    }

    public void emit(Session session, Emit emit, int requestId) {
        if (emit.getName().isEmpty() || emit.getName().length() > 64) {
            refuse(session, emit.getAckId(), requestId, ErrorCode.INVALID_ARGUMENT, "event name must be 1..64 characters");
            return;
        }
        if (emit.getRoomId().isEmpty()) {
            emitDirect(session, emit, requestId);
            return;
        }
        String owner = session.inRoom(emit.getRoomId()) ? ownerOf(emit.getRoomId()) : null;
        if (owner == null) {
            refuse(session, emit.getAckId(), requestId, ErrorCode.NOT_IN_ROOM, "not in room " + emit.getRoomId());
            return;
        }
        toOwner(owner, NodeMessage.newBuilder().setEmitRequest(EmitRequest.newBuilder()
                .setRoomId(emit.getRoomId()).setPlayerId(session.id()).setName(emit.getName())
                .setPayload(emit.getPayload()).setToPlayer(emit.getToPlayer())
                .setAckId(emit.getAckId()).setRequestId(requestId)));
    }

    public void requestKeyframe(Session session, String roomId, int requestId) {
        String owner = session.inRoom(roomId) ? ownerOf(roomId) : null;
        if (owner == null) {
            session.send(ServerFrames.error(ErrorCode.NOT_IN_ROOM, "not in room " + roomId, requestId));
            return;
        }
        toOwner(owner, NodeMessage.newBuilder().setKeyframeRequest(
                KeyframeRequest.newBuilder().setRoomId(roomId).setPlayerId(session.id())));
    }

    /** A session came back on a new socket: each room re-sends its Joined and the events it missed. */
    public void resumed(Session session, List<RoomCursor> cursors) {
        Map<String, Long> lastSeen = new ConcurrentHashMap<>();
        cursors.forEach(c -> lastSeen.put(c.getRoomId(), c.getLastEventOffset()));
        for (String roomId : List.copyOf(session.rooms())) {
            String owner = ownerOf(roomId);
            if (owner == null) {
                session.leftRoom(roomId);
                session.send(ServerFrames.left(roomId, LeaveReason.ROOM_CLOSED, "room gone"));
            } else {
                requestSeat(session, roomId, owner, 0, null, lastSeen.getOrDefault(roomId, -1L));
            }
        }
    }

    /** The session's grace period ended without a resume: free its seats. */
    public void seatsExpired(Session session) {
        for (String roomId : List.copyOf(session.rooms())) {
            String owner = ownerOf(roomId);
            forgetMembership(session, roomId);
            toOwner(owner, NodeMessage.newBuilder().setLeaveRequest(
                    LeaveRequest.newBuilder().setRoomId(roomId).setPlayerId(session.id()).setSeatExpired(true)));
        }
    }

    /** Closes every owned room (players get Left ROOM_CLOSED) and waits up to {@code timeoutMillis}. */
    public void closeAll(long timeoutMillis) {
        if (leaseRenewal != null) {
            leaseRenewal.cancel(false);
        }
        CountDownLatch closed = new CountDownLatch(hosts.size());
        for (RoomHost host : hosts.values()) {
            host.executor().execute(() -> {
                closeRoom(host);
                closed.countDown();
            });
        }
        try {
            closed.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (inbox != null) {
            inbox.unsubscribe();
        }
    }

    // ───────────── the gateway side: seats, replies, frames for local sessions ─────────────

    private void quickJoin(Session session, String gameType, int requestId, int attemptsLeft) {
        RoomType<?> type = games.get(gameType);
        if (type == null) {
            session.send(ServerFrames.error(ErrorCode.UNKNOWN_GAME,
                    "no game '" + gameType + "'; this node has " + games.keySet(), requestId));
            return;
        }
        Runnable retry = attemptsLeft > 1 ? () -> quickJoin(session, gameType, requestId, attemptsLeft - 1) : null;
        directory.findJoinable(gameType).whenComplete((found, failure) -> {
            if (failure != null) {
                session.send(ServerFrames.error(ErrorCode.INTERNAL, "room directory unavailable", requestId));
            } else if (found.isPresent() && !session.inRoom(found.get().roomId())) {
                String roomId = found.get().roomId();
                locate(roomId).whenComplete((owner, lookupFailure) -> {
                    if (owner != null) {
                        requestSeat(session, roomId, owner, requestId, retry, null);
                    } else {
                        directory.remove(roomId, gameType); // its owner is gone and nobody took it over
                        if (retry != null) {
                            retry.run();
                        } else {
                            session.send(ServerFrames.error(ErrorCode.ROOM_NOT_FOUND, "no open room of " + gameType, requestId));
                        }
                    }
                });
            } else {
                createRoom(type).whenComplete((host, createFailure) -> {
                    if (createFailure != null) {
                        session.send(ServerFrames.error(ErrorCode.INTERNAL, "could not create a room", requestId));
                    } else if (host == null) {
                        session.send(ServerFrames.error(ErrorCode.TOO_MANY_ROOMS,
                                "this node hosts its maximum of " + config.maxRoomsPerNode + " rooms", requestId));
                    } else {
                        requestSeat(session, host.roomId(), nodeId, requestId, null, null);
                    }
                });
            }
        });
    }

    /**
     * Asks the room's owner for a seat, or (with a {@code cursor}, for a resume) for a fresh
     * Joined of the seat the session still holds and the events after the cursor (-1: none).
     */
    private void requestSeat(Session session, String roomId, String owner, int requestId, Runnable retry, Long cursor) {
        long correlation = correlations.incrementAndGet();
        ensureFanout(roomId, owner); // listen before the seat is taken, so the first states are not missed
        ScheduledFuture<?> timeout = workers.timer().schedule(() -> joinTimedOut(correlation), JOIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        pendingJoins.put(correlation, new PendingJoin(session, roomId, requestId, retry, timeout));
        JoinRequest.Builder request = JoinRequest.newBuilder().setCorrelation(correlation).setRoomId(roomId)
                .setPlayerId(session.id()).setPlayerName(session.name());
        if (cursor != null) {
            request.setRejoin(true).setHasCursor(cursor >= 0).setEventsAfter(Math.max(0, cursor));
        }
        toOwner(owner, NodeMessage.newBuilder().setJoinRequest(request));
    }

    private void onJoinReply(JoinReply reply) {
        PendingJoin pending = pendingJoins.remove(reply.getCorrelation());
        if (pending == null) {
            return; // timed out: the client was told already
        }
        pending.timeout().cancel(false);
        Session session = pending.session();
        String roomId = pending.roomId();
        if (reply.getOk()) {
            if (sessions.apply(session.id()) != session) {
                // The session expired while the join was on its way: give the seat back.
                dropFanoutIfEmpty(roomId);
                toOwner(ownerOf(roomId), NodeMessage.newBuilder().setLeaveRequest(LeaveRequest.newBuilder()
                        .setRoomId(roomId).setPlayerId(session.id()).setSeatExpired(true)));
                return;
            }
            session.enteredRoom(roomId);
            session.send(reply.getJoinedFrame().toByteArray());
            reply.getEventsList().forEach(event -> session.send(event.toByteArray()));
            addMember(roomId, session); // after Joined: every state this session sees comes after it
            return;
        }
        ErrorCode code = ErrorCode.forNumber(reply.getErrorCode());
        if (pending.retry() != null && (code == ErrorCode.ROOM_FULL || code == ErrorCode.ROOM_NOT_FOUND)) {
            dropFanoutIfEmpty(roomId);
            pending.retry().run();
        } else if (session.inRoom(roomId)) { // a resume whose seat is gone
            forgetMembership(session, roomId);
            session.send(ServerFrames.left(roomId, LeaveReason.ROOM_CLOSED, reply.getMessage()));
        } else {
            dropFanoutIfEmpty(roomId);
            session.send(ServerFrames.error(code == null ? ErrorCode.INTERNAL : code, reply.getMessage(), pending.requestId()));
        }
    }

    private void joinTimedOut(long correlation) {
        PendingJoin pending = pendingJoins.remove(correlation);
        if (pending != null) {
            dropFanoutIfEmpty(pending.roomId());
            pending.session().send(ServerFrames.error(ErrorCode.INTERNAL,
                    "the room's owner did not answer within " + JOIN_TIMEOUT_MS + " ms", pending.requestId()));
        }
    }

    private void onEmitReply(EmitReply reply) {
        Session session = sessions.apply(reply.getPlayerId());
        if (session == null) {
            return;
        }
        ErrorCode code = reply.getOk() ? ErrorCode.ERROR_CODE_UNSPECIFIED : ErrorCode.forNumber(reply.getErrorCode());
        if (reply.getOk()) {
            session.send(ServerFrames.ack(reply.getAckId(), true, code, ""));
        } else {
            refuse(session, reply.getAckId(), reply.getRequestId(), code == null ? ErrorCode.INTERNAL : code, reply.getMessage());
        }
    }

    private void onSeatRemoved(SeatRemoved removed) {
        Session session = sessions.apply(removed.getPlayerId());
        if (session == null || !session.inRoom(removed.getRoomId())) {
            return;
        }
        forgetMembership(session, removed.getRoomId());
        session.send(ServerFrames.left(removed.getRoomId(),
                removed.getKicked() ? LeaveReason.KICKED : LeaveReason.ROOM_CLOSED, removed.getDetail()));
    }

    private void emitDirect(Session session, Emit emit, int requestId) {
        Session target = emit.getToPlayer().isEmpty() ? null : sessions.apply(emit.getToPlayer());
        if (target == null) {
            refuse(session, emit.getAckId(), requestId, ErrorCode.PLAYER_NOT_FOUND, "no player '" + emit.getToPlayer() + "' on this node");
            return;
        }
        target.send(ServerFrames.directEvent(session.id(), emit.getName(), emit.getPayload()));
        if (emit.getAckId() != 0) {
            session.send(ServerFrames.ack(emit.getAckId(), true, ErrorCode.ERROR_CODE_UNSPECIFIED, ""));
        }
    }

    /** A failed request: as the ack the client asked for, else as an error frame. */
    private static void refuse(Session session, int ackId, int requestId, ErrorCode code, String message) {
        session.send(ackId != 0
                ? ServerFrames.ack(ackId, false, code, message)
                : ServerFrames.error(code, message, requestId));
    }

    // ───────────── the owner side: requests for rooms this node runs ─────────────

    private void onNodeMessage(NodeMessage message) {
        String from = message.getFromNode();
        switch (message.getBodyCase()) {
            case JOIN_REQUEST -> ownerJoin(from, message.getJoinRequest());
            case INPUTS -> message.getInputs().getInputsList().forEach(input -> {
                RoomHost host = hosts.get(input.getRoomId());
                if (host == null || !host.runtime().offerInput(input.getPlayerId(), input.getSeq(), input.getPayload())) {
                    metrics.inputsQueueFull.increment();
                }
            });
            case EMIT_REQUEST -> ownerEmit(from, message.getEmitRequest());
            case LEAVE_REQUEST -> ownerLeave(message.getLeaveRequest());
            case KEYFRAME_REQUEST -> {
                RoomHost host = hosts.get(message.getKeyframeRequest().getRoomId());
                if (host != null) {
                    host.executor().execute(() -> host.runtime().requestKeyframe(message.getKeyframeRequest().getPlayerId()));
                }
            }
            case JOIN_REPLY -> onJoinReply(message.getJoinReply());
            case EMIT_REPLY -> onEmitReply(message.getEmitReply());
            case PLAYER_FRAME -> {
                Session session = sessions.apply(message.getPlayerFrame().getPlayerId());
                if (session != null) {
                    session.send(message.getPlayerFrame().getFrame().toByteArray());
                }
            }
            case SEAT_REMOVED -> onSeatRemoved(message.getSeatRemoved());
            case BODY_NOT_SET -> metrics.badFrames.increment();
        }
    }

    private void ownerJoin(String from, JoinRequest request) {
        RoomHost host = hosts.get(request.getRoomId());
        if (host == null) {
            replyJoin(from, failedJoin(request, ErrorCode.ROOM_NOT_FOUND, "no room " + request.getRoomId() + " on " + nodeId));
            return;
        }
        host.executor().execute(() -> {
            RoomRuntime<?> runtime = host.runtime();
            if (host.isFenced() || runtime.isClosed()) {
                replyJoin(from, failedJoin(request, ErrorCode.ROOM_NOT_FOUND, "room " + request.getRoomId() + " closed"));
            } else if (request.getRejoin()) {
                byte[] joined = runtime.rejoinFrame(request.getPlayerId());
                if (joined == null) {
                    replyJoin(from, failedJoin(request, ErrorCode.NOT_IN_ROOM, "the seat was given up"));
                    return;
                }
                host.seatedFrom(request.getPlayerId(), from);
                JoinReply.Builder reply = JoinReply.newBuilder().setCorrelation(request.getCorrelation()).setOk(true)
                        .setJoinedFrame(UnsafeByteOperations.unsafeWrap(joined));
                if (request.getHasCursor()) {
                    runtime.eventsAfter(request.getEventsAfter()).forEach(e -> reply.addEvents(UnsafeByteOperations.unsafeWrap(e)));
                }
                replyJoin(from, reply.build());
            } else {
                switch (runtime.join(request.getPlayerId(), request.getPlayerName())) {
                    case JoinResult.Seated seated -> {
                        host.seatedFrom(request.getPlayerId(), from);
                        publishSeats(host);
                        replyJoin(from, JoinReply.newBuilder().setCorrelation(request.getCorrelation()).setOk(true)
                                .setJoinedFrame(UnsafeByteOperations.unsafeWrap(seated.joinedFrame())).build());
                    }
                    case JoinResult.Refused refused ->
                            replyJoin(from, failedJoin(request, refused.code(), refused.message()));
                }
            }
        });
    }

    private static JoinReply failedJoin(JoinRequest request, ErrorCode code, String message) {
        return JoinReply.newBuilder().setCorrelation(request.getCorrelation()).setOk(false)
                .setErrorCode(code.getNumber()).setMessage(message).build();
    }

    private void replyJoin(String to, JoinReply reply) {
        toNode(to, NodeMessage.newBuilder().setJoinReply(reply));
    }

    private void ownerEmit(String from, EmitRequest request) {
        RoomHost host = hosts.get(request.getRoomId());
        if (host == null) {
            replyEmit(from, request, EmitResult.failed(ErrorCode.ROOM_NOT_FOUND, "no room " + request.getRoomId()));
            return;
        }
        host.executor().execute(() -> replyEmit(from, request, host.runtime().emit(request.getPlayerId(),
                request.getName(), request.getPayload(), request.getToPlayer())));
    }

    private void replyEmit(String to, EmitRequest request, EmitResult result) {
        if (result.ok() && request.getAckId() == 0) {
            return; // nothing asked, nothing to say
        }
        toNode(to, NodeMessage.newBuilder().setEmitReply(EmitReply.newBuilder().setPlayerId(request.getPlayerId())
                .setAckId(request.getAckId()).setRequestId(request.getRequestId()).setOk(result.ok())
                .setErrorCode(result.error().getNumber()).setMessage(result.message())));
    }

    private void ownerLeave(LeaveRequest request) {
        RoomHost host = hosts.get(request.getRoomId());
        if (host == null) {
            return;
        }
        host.executor().execute(() -> {
            LeaveCause cause = request.getSeatExpired() ? LeaveCause.SEAT_EXPIRED : LeaveCause.REQUESTED;
            if (host.runtime().leave(request.getPlayerId(), cause)) {
                host.unseated(request.getPlayerId());
                publishSeats(host);
                closeIfEmpty(host);
            }
        });
    }

    // ───────────── callbacks of RoomHost (on the room's executor) ─────────────

    void sendToPlayer(String node, String playerId, byte[] serverFrame) {
        if (node == null || node.equals(nodeId)) {
            Session session = sessions.apply(playerId);
            if (session != null) {
                session.send(serverFrame);
            }
        } else {
            bus.publishNode(node, NodeMessage.newBuilder().setFromNode(nodeId).setPlayerFrame(PlayerFrame.newBuilder()
                    .setPlayerId(playerId).setFrame(UnsafeByteOperations.unsafeWrap(serverFrame))).build());
        }
    }

    void seatFreed(RoomHost host, String playerId, LeaveCause cause, String detail) {
        String node = host.unseated(playerId);
        toNode(node == null ? nodeId : node, NodeMessage.newBuilder().setSeatRemoved(SeatRemoved.newBuilder()
                .setRoomId(host.roomId()).setPlayerId(playerId).setKicked(cause == LeaveCause.KICKED).setDetail(detail)));
        if (!host.runtime().isClosed()) {
            publishSeats(host);
        }
    }

    void roomClosed(RoomHost host) {
        if (hosts.remove(host.roomId(), host)) {
            roomSlots.decrementAndGet();
            metrics.roomsClosed.increment();
            if (!host.isFenced()) {
                directory.remove(host.roomId(), host.gameType());
                snapshots.delete(host.roomId());
                ownership.release(host.lease());
            }
        }
    }

    /** Called for every state the room sent: every few ticks, a snapshot for a takeover. */
    void stateSent(RoomHost host, long statesSent) {
        if (snapshots != SnapshotStore.NONE && statesSent % config.snapshotEveryTicks == 0) {
            host.executor().execute(() -> saveSnapshot(host)); // after this tick, not inside it
        }
    }

    private void saveSnapshot(RoomHost host) {
        if (host.isFenced() || host.runtime().isClosed()) {
            return;
        }
        HostSnapshot snapshot = HostSnapshot.newBuilder()
                .setRoom(host.runtime().snapshot())
                .putAllPlayerNodes(host.playerNodes())
                .setSavedAtMs(clock.currentTimeMillis())
                .build();
        snapshots.save(host.roomId(), snapshot.toByteArray());
    }

    // ───────────── ownership ─────────────

    private CompletionStage<RoomHost> createRoom(RoomType<?> type) {
        if (roomSlots.incrementAndGet() > config.maxRoomsPerNode) {
            roomSlots.decrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
        return ownership.claim(newRoomId()).thenApply(lease -> {
            if (lease.isEmpty()) { // a fresh random id is never taken; if it is, give the slot back
                roomSlots.decrementAndGet();
                return null;
            }
            return startRoom(type, lease.get());
        });
    }

    private RoomHost startRoom(RoomType<?> type, RoomOwnership.Lease lease) {
        RoomHost host = newHost(type, lease);
        metrics.roomsCreated.increment();
        host.executor().execute(host.runtime()::start);
        directory.publish(new RoomDirectory.RoomEntry(lease.roomId(), type.name(), host.maxPlayers()));
        return host;
    }

    /** A host with its runtime, registered as owned; not yet started (or restored). */
    private <I> RoomHost newHost(RoomType<I> type, RoomOwnership.Lease lease) {
        RoomSettings settings = effectiveSettings(type.settings());
        SerialExecutor executor = new SerialExecutor(workers.pool(), e -> metrics.roomTaskErrors.increment());
        RoomHost host = new RoomHost(lease.roomId(), type.name(), settings.maxPlayers(), executor, lease, bus, this);
        host.attach(new RoomRuntime<>(lease.roomId(), type, settings, clock, workers.schedulerFor(executor), host,
                random.nextLong()));
        hosts.put(lease.roomId(), host);
        return host;
    }

    private RoomSettings effectiveSettings(RoomSettings game) {
        RoomSettings settings = game.withMaxPlayers(Math.min(game.maxPlayers(), config.maxPlayersPerRoom));
        return config.tickRate > 0 ? settings.withTickRateHz(config.tickRate) : settings;
    }

    private void renewLeases() {
        for (RoomHost host : hosts.values()) {
            if (host.isFenced()) {
                continue;
            }
            ownership.renew(host.lease()).whenComplete((renewed, failure) -> {
                if (Boolean.FALSE.equals(renewed)) {
                    fence(host);
                }
                // A failure (Redis unreachable) keeps the room ticking for the players it can reach.
            });
        }
    }

    /**
     * A room with local members whose owner has sent nothing for a whole lease is probably
     * orphaned: claim it (only one node can) and restore its last snapshot.
     */
    private void takeOverSilentRooms() {
        long now = System.nanoTime();
        long silence = TimeUnit.MILLISECONDS.toNanos(config.leaseMs);
        fanouts.forEach((roomId, fanout) -> {
            if (!hosts.containsKey(roomId) && now - fanout.lastFrameNanos() > silence && takingOver.add(roomId)) {
                String formerOwner = fanout.owner();
                ownership.claim(roomId)
                        .thenCompose(lease -> lease.isEmpty()
                                ? CompletableFuture.completedFuture(null)
                                : snapshots.load(roomId).thenAccept(saved -> restoreRoom(lease.get(), saved, formerOwner)))
                        .whenComplete((done, failure) -> {
                            takingOver.remove(roomId);
                            if (failure != null) {
                                log.warn("taking over room {} failed: {}", roomId, failure.toString());
                            }
                        });
            }
        });
    }

    private void restoreRoom(RoomOwnership.Lease lease, java.util.Optional<byte[]> saved, String formerOwner) {
        HostSnapshot snapshot;
        try {
            snapshot = saved.isPresent() ? HostSnapshot.parseFrom(saved.get()) : null;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            snapshot = null;
        }
        RoomType<?> type = snapshot == null ? null : games.get(snapshot.getRoom().getGameType());
        if (type == null) {
            log.warn("room {} has no usable snapshot: it cannot be taken over", lease.roomId());
            ownership.release(lease);
            return;
        }
        roomSlots.incrementAndGet();
        RoomHost host = newHost(type, lease);
        RoomFanout fanout = fanouts.get(lease.roomId());
        if (fanout != null) {
            fanout.owner(nodeId, lease.epoch());
        }
        // Number the ticks past any the former owner may have run after its last snapshot.
        long period = TimeUnit.SECONDS.toMillis(1) / type.settings().tickRateHz();
        long missed = Math.max(0, clock.currentTimeMillis() - snapshot.getSavedAtMs()) / Math.max(1, period) + 1;
        var room = snapshot.getRoom().toBuilder().setTick(snapshot.getRoom().getTick() + missed).build();
        Map<String, String> playerNodes = snapshot.getPlayerNodesMap();
        host.executor().execute(() -> {
            host.playerNodes().putAll(playerNodes);
            host.runtime().restore(room);
            publishSeats(host);
            metrics.roomsTakenOver.increment();
            log.info("took over room {} (epoch {}) from {} at tick {}", lease.roomId(), lease.epoch(), formerOwner, room.getTick());
        });
        // Players whose sessions lived on the former owner come back elsewhere as new sessions:
        // their old seats are freed after the seat grace period.
        workers.timer().schedule(() -> host.executor().execute(() -> playerNodes.forEach((playerId, node) -> {
            if (node.equals(formerOwner) && formerOwner.equals(host.playerNodes().get(playerId))
                    && host.runtime().leave(playerId, LeaveCause.SEAT_EXPIRED)) {
                host.unseated(playerId);
                publishSeats(host);
            }
        })), config.seatGraceMs, TimeUnit.MILLISECONDS);
    }

    /** The lease went to another node: stop this runtime without a word to the players. */
    private void fence(RoomHost host) {
        host.fence();
        metrics.roomsFenced.increment();
        host.executor().execute(() -> host.runtime().close());
    }

    /** The node owning {@code roomId}: this one, or a remote one known from its frames; null if unknown. */
    private String ownerOf(String roomId) {
        if (hosts.containsKey(roomId)) {
            return nodeId;
        }
        RoomFanout fanout = fanouts.get(roomId);
        return fanout == null ? null : fanout.owner();
    }

    private CompletionStage<String> locate(String roomId) {
        if (hosts.containsKey(roomId)) {
            return CompletableFuture.completedFuture(nodeId);
        }
        return ownership.owner(roomId).thenApply(lease -> lease.map(RoomOwnership.Lease::ownerNode).orElse(null));
    }

    // ───────────── plumbing ─────────────

    /** A request for the room's owner: handled here if this node owns it, else sent to its inbox. */
    private void toOwner(String owner, NodeMessage.Builder message) {
        if (owner != null) {
            toNode(owner, message);
        }
    }

    private void toNode(String node, NodeMessage.Builder message) {
        NodeMessage built = message.setFromNode(nodeId).build();
        if (node.equals(nodeId)) {
            onNodeMessage(built);
        } else {
            bus.publishNode(node, built);
        }
    }

    private void closeIfEmpty(RoomHost host) {
        if (host.runtime().playerCount() == 0) {
            closeRoom(host);
        }
    }

    private void closeRoom(RoomHost host) {
        if (!host.runtime().isClosed()) {
            host.runtime().close(); // calls back seatFreed per player, then roomClosed
        }
    }

    private void publishSeats(RoomHost host) {
        directory.publish(new RoomDirectory.RoomEntry(host.roomId(), host.gameType(),
                host.maxPlayers() - host.runtime().playerCount()));
    }

    private void ensureFanout(String roomId, String owner) {
        fanouts.compute(roomId, (id, fanout) -> {
            if (fanout == null) {
                fanout = new RoomFanout(metrics, owner);
                fanout.subscription(bus.subscribeRoom(id, fanout::deliver));
            }
            return fanout;
        });
    }

    private void addMember(String roomId, Session session) {
        String owner = ownerOf(roomId); // not inside compute: it reads the same map
        fanouts.compute(roomId, (id, fanout) -> {
            if (fanout == null) {
                fanout = new RoomFanout(metrics, owner);
                fanout.subscription(bus.subscribeRoom(id, fanout::deliver));
            }
            fanout.add(session);
            return fanout;
        });
    }

    private void forgetMembership(Session session, String roomId) {
        session.leftRoom(roomId);
        fanouts.computeIfPresent(roomId, (id, fanout) -> {
            if (fanout.remove(session)) {
                fanout.unsubscribe();
                return null;
            }
            return fanout;
        });
    }

    private void dropFanoutIfEmpty(String roomId) {
        fanouts.computeIfPresent(roomId, (id, fanout) -> {
            if (fanout.isEmpty() && pendingJoins.values().stream().noneMatch(p -> p.roomId().equals(id))) {
                fanout.unsubscribe();
                return null;
            }
            return fanout;
        });
    }

    private String newRoomId() {
        StringBuilder id = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            id.append(ROOM_ID_CHARS.charAt(random.nextInt(ROOM_ID_CHARS.length())));
        }
        return id.toString();
    }
}
