package io.roomcast.gateway.routing;

import com.google.protobuf.ByteString;
import io.roomcast.core.runtime.EmitResult;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.RoomDirectory;
import io.roomcast.gateway.cluster.Presence;
import io.roomcast.gateway.cluster.RoomOwnership;
import io.roomcast.gateway.cluster.SessionStore;
import io.roomcast.gateway.members.Members;
import io.roomcast.gateway.session.ServerFrames;
import io.roomcast.gateway.session.Session;
import io.roomcast.gateway.session.SessionRegistry;
import io.roomcast.proto.cluster.EmitRequest;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.proto.v1.RoomCursor;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The gateway side of a node: a session's requests to its rooms (joins through {@link Joins}),
 * each handed to the room's owner through an {@link OwnerChannel}, and what owners send back for
 * this node's sessions ({@link MemberNotices}). Requests come on I/O threads, answers on a room's
 * or the bus's thread; nothing here blocks or touches a room's runtime. Thread-safe.
 */
public final class RoomRouter implements MemberNotices, SessionRegistry.Listener {

    private final Joins joins;
    private final RoomLocator locator;
    private final OwnerChannels owners;
    private final Members members;
    private final Function<String, Session> sessions;
    private final NodeMetrics metrics;
    private final DirectMessages directs;

    /** @param incarnation this node's process (see Presence): the owner of a room records it with each seat */
    public RoomRouter(String nodeId, String incarnation, int maxRoomsPerSession, RoomDirectory directory,
                      RoomOwnership ownership, RoomCreator rooms, OwnerChannels owners, Members members,
                      Function<String, Session> sessions, NodeMetrics metrics, ScheduledExecutorService timer,
                      long rejoinWindowMillis, Presence presence, SessionStore sessionStore, MemberChannel memberChannel) {
        this.directs = new DirectMessages(nodeId, presence, sessionStore, memberChannel);
        this.locator = new RoomLocator(nodeId, rooms, members, ownership);
        this.joins = new Joins(nodeId, incarnation, maxRoomsPerSession, directory, rooms, locator, owners, members,
                sessions, metrics, timer, rejoinWindowMillis);
        this.owners = owners;
        this.members = members;
        this.sessions = sessions;
        this.metrics = metrics;
    }

    // ───────────── a session's requests (I/O threads) ─────────────

    public void join(Session session, Join join, int requestId) {
        joins.join(session, join, requestId);
    }

    /** What became of an input. */
    public enum InputOutcome { QUEUED, NOT_IN_ROOM, QUEUE_FULL }

    /** Queues an input for the room's next tick; no task, no lock, a batched publish when remote. */
    public InputOutcome input(Session session, String roomId, int seq, ByteString payload) {
        String owner = session.inRoom(roomId) ? members.ownerOf(roomId) : null;
        if (owner == null) {
            return InputOutcome.NOT_IN_ROOM;
        }
        return switch (owners.to(owner).input(roomId, session.id(), seq, payload)) {
            case QUEUED -> InputOutcome.QUEUED;
            case QUEUE_FULL -> InputOutcome.QUEUE_FULL;
            case ROOM_GONE -> {
                metrics.inputsForGoneRooms.increment();
                yield InputOutcome.NOT_IN_ROOM;
            }
        };
    }

    public void leave(Session session, String roomId, int requestId) {
        if (!session.inRoom(roomId)) {
            session.send(ServerFrames.error(ErrorCode.NOT_IN_ROOM, "not in room " + roomId, requestId));
            return;
        }
        String owner = members.ownerOf(roomId);
        members.remove(session, roomId);
        session.send(ServerFrames.left(roomId, LeaveReason.LEAVE_REQUESTED, ""));
        giveBack(session, roomId, owner, false);
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
        String owner = session.inRoom(emit.getRoomId()) ? members.ownerOf(emit.getRoomId()) : null;
        if (owner == null) {
            refuse(session, emit.getAckId(), requestId, ErrorCode.NOT_IN_ROOM, "not in room " + emit.getRoomId());
            return;
        }
        owners.to(owner).emit(EmitRequest.newBuilder()
                .setRoomId(emit.getRoomId()).setPlayerId(session.id()).setName(emit.getName())
                .setPayload(emit.getPayload()).setToPlayer(emit.getToPlayer())
                .setAckId(emit.getAckId()).setRequestId(requestId).build());
    }

    public void requestKeyframe(Session session, String roomId, int requestId) {
        String owner = session.inRoom(roomId) ? members.ownerOf(roomId) : null;
        if (owner == null) {
            session.send(ServerFrames.error(ErrorCode.NOT_IN_ROOM, "not in room " + roomId, requestId));
            return;
        }
        owners.to(owner).keyframe(roomId, session.id());
    }

    /** A session came back on a new socket (on its I/O thread): each room re-sends its Joined and the events it missed. */
    public void resumed(Session session, List<RoomCursor> cursors) {
        joins.rejoin(session, cursors);
    }

    // ───────────── the session's sockets (SessionRegistry) ─────────────

    @Override
    public void offline(Session session) {
        members.detach(session);
    }

    @Override
    public void seatsExpired(Session session, Set<String> rooms) {
        for (String roomId : rooms) {
            String owner = members.ownerOf(roomId);
            members.remove(session, roomId);
            giveBack(session, roomId, owner, true);
        }
    }

    /** Frees the seat on its owner: the owner known here, else the room's lease says who it is. */
    private void giveBack(Session session, String roomId, String knownOwner, boolean seatExpired) {
        if (knownOwner != null) {
            owners.to(knownOwner).leave(roomId, session.id(), seatExpired);
            return;
        }
        locator.locate(roomId).whenComplete((owner, failure) -> {
            if (owner != null) {
                owners.to(owner).leave(roomId, session.id(), seatExpired);
            }
        });
    }

    // ───────────── what owners send back (a room's or the bus's thread) ─────────────

    @Override
    public void playerFrame(String roomId, long epoch, String playerId, byte[] serverFrame) {
        Session session = sessions.apply(playerId);
        if (session == null) {
            return;
        }
        if (members.isStale(roomId, epoch)) {
            metrics.staleEpochDropped.increment(); // a deposed owner's frame: the player hears the new one
            return;
        }
        session.send(serverFrame);
    }

    @Override
    public void seatRemoved(String roomId, String playerId, LeaveReason reason, String detail) {
        Session session = sessions.apply(playerId);
        if (session == null || !session.inRoom(roomId)) {
            return;
        }
        members.remove(session, roomId);
        session.send(ServerFrames.left(roomId, reason, detail));
    }

    @Override
    public void emitAnswered(String playerId, int ackId, int requestId, EmitResult result) {
        Session session = sessions.apply(playerId);
        if (session == null) {
            return;
        }
        if (result.ok()) {
            session.send(ServerFrames.ack(ackId, result.eventOffset()));
        } else {
            refuse(session, ackId, requestId, result.error(), result.message());
        }
    }

    /** A message to one player wherever it is connected: this node, else any alive node holding its session. */
    private void emitDirect(Session session, Emit emit, int requestId) {
        if (emit.getToPlayer().isEmpty()) {
            refuse(session, emit.getAckId(), requestId, ErrorCode.INVALID_ARGUMENT, "a direct emit needs to_player");
            return;
        }
        byte[] frame = ServerFrames.directEvent(session.id(), emit.getName(), emit.getPayload());
        Session target = sessions.apply(emit.getToPlayer());
        if (target != null) {
            target.send(frame);
            directAnswered(session, emit, requestId, true);
            return;
        }
        directs.send(emit.getToPlayer(), frame).whenComplete((found, failure) ->
                directAnswered(session, emit, requestId, failure == null && found));
    }

    private static void directAnswered(Session session, Emit emit, int requestId, boolean delivered) {
        if (!delivered) {
            refuse(session, emit.getAckId(), requestId, ErrorCode.PLAYER_NOT_FOUND, "no player '" + emit.getToPlayer() + "' connected");
        } else if (emit.getAckId() != 0) {
            session.send(ServerFrames.ack(emit.getAckId(), true, ErrorCode.ERROR_CODE_UNSPECIFIED, ""));
        }
    }

    /** A failed request: as the ack the client asked for, else as an error frame. */
    private static void refuse(Session session, int ackId, int requestId, ErrorCode code, String message) {
        session.send(ackId != 0
                ? ServerFrames.ack(ackId, false, code, message)
                : ServerFrames.error(code, message, requestId));
    }
}
