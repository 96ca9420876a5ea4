package io.roomcast.gateway.room;

import com.google.protobuf.ByteString;
import io.roomcast.core.loop.Clock;
import io.roomcast.core.room.RoomType;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.cluster.RoomDirectory;
import io.roomcast.gateway.cluster.RoomOwnership;
import io.roomcast.gateway.cluster.SnapshotStore;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.session.Session;
import io.roomcast.proto.cluster.EmitReply;
import io.roomcast.proto.cluster.EmitRequest;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;
import io.roomcast.proto.cluster.KeyframeRequest;
import io.roomcast.proto.cluster.LeaveRequest;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.RoomInput;
import io.roomcast.proto.cluster.SeatRemoved;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.proto.v1.RoomCursor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
    private final MessageBus bus;
    private final RoomWorkers workers;
    private final Function<String, Session> sessions;
    private final InputBatcher inputBatcher;
    private final Membership membership;
    private final OwnedRooms owned;
    private final ConcurrentHashMap<Long, PendingJoin> pendingJoins = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();
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
        this.bus = bus;
        this.workers = workers;
        this.sessions = sessions;
        this.inputBatcher = new InputBatcher(nodeId, bus, workers.timer(), INPUT_WINDOW_MICROS);
        this.membership = new Membership(nodeId, bus, metrics);
        this.owned = new OwnedRooms(nodeId, config, this.games, directory, ownership, snapshots, bus, workers, clock,
                metrics, sessions, membership, this::toNode);
    }

    /**
     * Listens to this node's inbox; every third of the lease, renews the leases of owned rooms
     * and looks for rooms with local members whose owner went silent.
     */
    public void start() {
        inbox = bus.subscribeNode(nodeId, this::onNodeMessage);
        long every = Math.max(100, config.leaseMs / 3);
        leaseRenewal = workers.timer().scheduleWithFixedDelay(owned::maintain, every, every, TimeUnit.MILLISECONDS);
    }

    public int roomCount() {
        return owned.ids().size();
    }

    /** Rooms this node owns and ticks. */
    public Collection<String> ownedRooms() {
        return owned.ids();
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
        RoomHost host = owned.host(roomId);
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
        membership.remove(session, roomId);
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
            membership.remove(session, roomId);
            toOwner(owner, NodeMessage.newBuilder().setLeaveRequest(
                    LeaveRequest.newBuilder().setRoomId(roomId).setPlayerId(session.id()).setSeatExpired(true)));
        }
    }

    /** Closes every owned room (players get Left ROOM_CLOSED) and waits up to {@code timeoutMillis}. */
    public void closeAll(long timeoutMillis) {
        if (leaseRenewal != null) {
            leaseRenewal.cancel(false);
        }
        owned.closeAll(timeoutMillis);
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
                owned.create(type).whenComplete((host, createFailure) -> {
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
        membership.listen(roomId, owner); // listen before the seat is taken, so the first states are not missed
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
                dropIfUnwanted(roomId);
                toOwner(ownerOf(roomId), NodeMessage.newBuilder().setLeaveRequest(LeaveRequest.newBuilder()
                        .setRoomId(roomId).setPlayerId(session.id()).setSeatExpired(true)));
                return;
            }
            session.enteredRoom(roomId);
            session.send(reply.getJoinedFrame().toByteArray());
            reply.getEventsList().forEach(event -> session.send(event.toByteArray()));
            membership.add(roomId, session, ownerOf(roomId)); // after Joined: every state this session sees comes after it
            return;
        }
        ErrorCode code = ErrorCode.forNumber(reply.getErrorCode());
        if (pending.retry() != null && (code == ErrorCode.ROOM_FULL || code == ErrorCode.ROOM_NOT_FOUND)) {
            dropIfUnwanted(roomId);
            pending.retry().run();
        } else if (session.inRoom(roomId)) { // a resume whose seat is gone
            membership.remove(session, roomId);
            session.send(ServerFrames.left(roomId, LeaveReason.ROOM_CLOSED, reply.getMessage()));
        } else {
            dropIfUnwanted(roomId);
            session.send(ServerFrames.error(code == null ? ErrorCode.INTERNAL : code, reply.getMessage(), pending.requestId()));
        }
    }

    private void joinTimedOut(long correlation) {
        PendingJoin pending = pendingJoins.remove(correlation);
        if (pending != null) {
            dropIfUnwanted(pending.roomId());
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
        membership.remove(session, removed.getRoomId());
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

    // ───────────── node messages: requests for the owner, answers for the gateway ─────────────

    private void onNodeMessage(NodeMessage message) {
        String from = message.getFromNode();
        switch (message.getBodyCase()) {
            case JOIN_REQUEST -> owned.join(from, message.getJoinRequest());
            case INPUTS -> owned.inputs(message.getInputs());
            case EMIT_REQUEST -> owned.emit(from, message.getEmitRequest());
            case LEAVE_REQUEST -> owned.leave(message.getLeaveRequest());
            case KEYFRAME_REQUEST -> owned.keyframe(message.getKeyframeRequest());
            case JOIN_REPLY -> onJoinReply(message.getJoinReply());
            case EMIT_REPLY -> onEmitReply(message.getEmitReply());
            case PLAYER_FRAME -> {
                Session session = sessions.apply(message.getPlayerFrame().getPlayerId());
                if (session != null) {
                    session.send(message.getPlayerFrame().getFrame().toByteArray());
                }
            }
            case SEAT_REMOVED -> onSeatRemoved(message.getSeatRemoved());
            case BODY_NOT_SET -> { } // a message from a newer node version: nothing this node can do
        }
    }

    /** The node owning {@code roomId}: this one, or a remote one known from its frames; null if unknown. */
    private String ownerOf(String roomId) {
        return owned.host(roomId) != null ? nodeId : membership.ownerOf(roomId);
    }

    private CompletionStage<String> locate(String roomId) {
        if (owned.host(roomId) != null) {
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

    /** Stops listening to a room with no member here and no join on the way. */
    private void dropIfUnwanted(String roomId) {
        membership.dropIfEmpty(roomId, id -> pendingJoins.values().stream().anyMatch(p -> p.roomId().equals(id)));
    }
}
