package io.roomcast.gateway.routing;

import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.RoomDirectory;
import io.roomcast.gateway.members.Members;
import io.roomcast.gateway.session.ServerFrames;
import io.roomcast.gateway.session.Session;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.proto.v1.NamedRoom;
import io.roomcast.proto.v1.RoomCursor;

import io.roomcast.gateway.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every way a session gets into a room — by id, quick-join, join-or-create by name, and the
 * rejoin of a resume — each ending in one place: {@link #seat} asks the owner through the
 * {@link OwnerChannel}, {@link #answered} handles what comes back (see "The path of a join" in
 * docs/architecture.md). Called on I/O threads; answers arrive on a room's or the bus's thread.
 * Thread-safe.
 */
public final class Joins {

    private static final Logger log = LoggerFactory.getLogger(Joins.class);

    /** A room id or name a client may use. */
    static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** Quick-join and join-or-create try this many times when the room they found filled up or closed. */
    private static final int ATTEMPTS = 3;
    /** A rejoin that finds the room between owners looks again after this. */
    private static final long REJOIN_RETRY_MS = 200;

    private final String nodeId;
    private final String incarnation;
    private final int maxRoomsPerSession;
    private final RoomDirectory directory;
    private final RoomCreator rooms;
    private final RoomLocator locator;
    private final OwnerChannels owners;
    private final Members members;
    private final Function<String, Session> sessions;
    private final NodeMetrics metrics;
    private final ScheduledExecutorService timer;
    private final long rejoinWindowMillis;

    Joins(String nodeId, String incarnation, int maxRoomsPerSession, RoomDirectory directory, RoomCreator rooms, RoomLocator locator,
          OwnerChannels owners, Members members, Function<String, Session> sessions, NodeMetrics metrics,
          ScheduledExecutorService timer, long rejoinWindowMillis) {
        this.timer = timer;
        this.rejoinWindowMillis = rejoinWindowMillis;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.maxRoomsPerSession = maxRoomsPerSession;
        this.directory = directory;
        this.rooms = rooms;
        this.locator = locator;
        this.owners = owners;
        this.members = members;
        this.sessions = sessions;
        this.metrics = metrics;
    }

    /** A fresh join: counted against --max-rooms-per-session from now until it ends. */
    void join(Session session, Join join, int requestId) {
        if (!session.reserveRoom(maxRoomsPerSession)) {
            session.send(ServerFrames.error(ErrorCode.TOO_MANY_ROOMS,
                    "a session may be in at most " + maxRoomsPerSession + " rooms", requestId));
            return;
        }
        Attempt attempt = new Attempt(session, requestId);
        String badOptions = JoinOptions.problem(join.getOptionsMap());
        if (badOptions != null) {
            attempt.fail(ErrorCode.INVALID_ARGUMENT, badOptions);
            return;
        }
        Map<String, String> options = join.getOptionsMap();
        switch (join.getTargetCase()) {
            case ROOM_ID -> byId(attempt, join.getRoomId());
            case GAME_TYPE -> quickJoin(attempt, join.getGameType(), options, ATTEMPTS);
            case NAMED -> named(attempt, join.getNamed(), options, ATTEMPTS);
            default -> attempt.fail(ErrorCode.INVALID_ARGUMENT, "join needs a room_id, a game_type or a named room");
        }
    }

    /** A resumed session takes back each of its rooms: a fresh Joined and the events after its cursor. */
    void rejoin(Session session, List<RoomCursor> cursors) {
        Map<String, Long> lastSeen = cursors.stream()
                .collect(Collectors.toMap(RoomCursor::getRoomId, RoomCursor::getLastEventOffset, (a, b) -> b));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rejoinWindowMillis);
        for (String roomId : List.copyOf(session.rooms())) {
            rejoin(session, roomId, lastSeen.getOrDefault(roomId, -1L), deadline);
        }
    }

    /**
     * One room of a resume. A room whose node died (or drained) is between owners for up to a
     * lease and a bit: no owner, an owner that does not answer, or one that does not know the
     * room yet. The rejoin looks again until {@code deadline} before it tells the client the
     * room is gone.
     */
    private void rejoin(Session session, String roomId, long cursor, long deadline) {
        Runnable again = () -> timer.schedule(() -> rejoin(session, roomId, cursor, deadline), REJOIN_RETRY_MS,
                TimeUnit.MILLISECONDS);
        boolean mayRetry = System.nanoTime() - deadline < 0;
        locator.locate(roomId).whenComplete((owner, failure) -> {
            if (owner == null && mayRetry) {
                // No owner yet (a takeover under way, or nobody listening to notice the room went
                // quiet: this node may take it), or the lease was unreachable (Redis restarting): look again.
                if (failure == null) {
                    owners.claimAbandoned(roomId, null, true, cursor);
                }
                again.run();
            } else if (owner == null) {
                session.leftRoom(roomId);
                session.send(ServerFrames.left(roomId, LeaveReason.ROOM_CLOSED,
                        failure != null ? "the room's owner could not be found" : "room gone"));
            } else {
                JoinRequest request = request(session, roomId, "").setRejoin(true)
                        .setHasCursor(cursor >= 0).setEventsAfter(Math.max(0, cursor)).build();
                seat(new Attempt(session, 0), owner, request, mayRetry ? again : null);
            }
        });
    }

    private void byId(Attempt attempt, String roomId) {
        if (!ROOM_ID.matcher(roomId).matches()) {
            attempt.fail(ErrorCode.INVALID_ARGUMENT, "a room id is 1..64 of [A-Za-z0-9_.-]");
        } else if (attempt.session.inRoom(roomId)) {
            attempt.fail(ErrorCode.ALREADY_IN_ROOM, "already in room " + roomId);
        } else {
            locator.locate(roomId).whenComplete((owner, failure) -> {
                if (failure != null) {
                    attempt.fail(ErrorCode.INTERNAL, "the room directory is unavailable");
                } else if (owner == null) {
                    attempt.fail(ErrorCode.ROOM_NOT_FOUND, "no room " + roomId);
                } else {
                    seat(attempt, owner, request(attempt.session, roomId, "").build(), null);
                }
            });
        }
    }

    /** The fullest open room of the game created with the same values of the options it filters by, else a new one. */
    private void quickJoin(Attempt attempt, String gameType, Map<String, String> options, int attemptsLeft) {
        if (!rooms.gameTypes().contains(gameType)) {
            attempt.fail(ErrorCode.UNKNOWN_GAME, "no game '" + gameType + "'; this node has " + rooms.gameTypes());
            return;
        }
        Runnable retry = attemptsLeft > 1 ? () -> quickJoin(attempt, gameType, options, attemptsLeft - 1) : null;
        String filterKey = rooms.filterKey(gameType, options);
        directory.findJoinable(gameType, filterKey).whenComplete((found, failure) -> {
            if (failure != null) {
                attempt.fail(ErrorCode.INTERNAL, "the room directory is unavailable");
            } else if (found.isPresent() && !attempt.session.inRoom(found.get().roomId())) {
                String roomId = found.get().roomId();
                locator.locate(roomId).whenComplete((owner, lookupFailure) -> {
                    if (owner != null) {
                        seat(attempt, owner, request(attempt.session, roomId, gameType).build(), retry);
                    } else if (lookupFailure != null) {
                        attempt.fail(ErrorCode.INTERNAL, "the room directory is unavailable");
                    } else {
                        directory.remove(roomId, gameType, filterKey); // its owner is gone and nobody took it over
                        attempt.retryOr(retry, ErrorCode.ROOM_NOT_FOUND, "no open room of " + gameType);
                    }
                });
            } else {
                create(attempt, gameType, null, options, retry);
            }
        });
    }

    /**
     * Join-or-create: one room per name in the cluster; of two nodes creating it at once, one wins,
     * the other joins. The options are the new room's; joining an existing one ignores them.
     */
    private void named(Attempt attempt, NamedRoom named, Map<String, String> options, int attemptsLeft) {
        String roomId = named.getRoomId();
        String gameType = named.getGameType();
        if (!ROOM_ID.matcher(roomId).matches()) {
            attempt.fail(ErrorCode.INVALID_ARGUMENT, "a room name is 1..64 of [A-Za-z0-9_.-]");
            return;
        }
        if (!rooms.gameTypes().contains(gameType)) {
            attempt.fail(ErrorCode.UNKNOWN_GAME, "no game '" + gameType + "'; this node has " + rooms.gameTypes());
            return;
        }
        if (attempt.session.inRoom(roomId)) {
            attempt.fail(ErrorCode.ALREADY_IN_ROOM, "already in room " + roomId);
            return;
        }
        Runnable retry = attemptsLeft > 1 ? () -> named(attempt, named, options, attemptsLeft - 1) : null;
        locator.locate(roomId).whenComplete((owner, failure) -> {
            if (failure != null) {
                attempt.fail(ErrorCode.INTERNAL, "the room directory is unavailable");
            } else if (owner != null) {
                seat(attempt, owner, request(attempt.session, roomId, gameType).build(), retry);
            } else {
                create(attempt, gameType, roomId, options, retry);
            }
        });
    }

    private void create(Attempt attempt, String gameType, String name, Map<String, String> options, Runnable retry) {
        rooms.create(gameType, name, options).whenComplete((created, failure) -> {
            if (failure != null) {
                attempt.fail(ErrorCode.INTERNAL, "could not create a room");
                return;
            }
            switch (created.outcome()) {
                case CREATED -> seat(attempt, nodeId, request(attempt.session, created.roomId(), gameType).build(), null);
                case NAME_TAKEN -> attempt.retryOr(retry, ErrorCode.ROOM_NOT_FOUND, "room " + name + " is being created elsewhere");
                case NODE_FULL -> attempt.fail(ErrorCode.TOO_MANY_ROOMS, "this node hosts its maximum of rooms");
            }
        });
    }

    /** Asks the owner for the seat; the room's frames are kept for the session until the answer. */
    private void seat(Attempt attempt, String owner, JoinRequest request, Runnable retry) {
        String roomId = request.getRoomId();
        if (!request.getRejoin() && !attempt.session.joiningRoom(roomId)) {
            attempt.fail(ErrorCode.ALREADY_IN_ROOM, "already in room " + roomId + ", or joining it");
            return;
        }
        members.expect(roomId, attempt.session, owner)
                .thenCompose(listening -> owners.to(owner).join(request))
                .whenComplete((reply, failure) -> answered(attempt, owner, request, retry, reply, failure));
    }

    private void answered(Attempt attempt, String owner, JoinRequest request, Runnable retry, JoinReply reply,
                          Throwable failure) {
        Session session = attempt.session;
        String roomId = request.getRoomId();
        boolean rejoin = request.getRejoin();
        if (failure != null || !reply.getOk()) {
            if (!rejoin) {
                session.notJoining(roomId);
            }
            members.forget(roomId, session);
            ErrorCode code = failure != null ? ErrorCode.INTERNAL : ErrorCode.forNumber(reply.getErrorCode());
            String message;
            try (var inSession = LogContext.session(session.id()); var inRoom = LogContext.room(roomId)) {
                message = failure != null ? describe(failure) : reply.getMessage();
            }
            if (rejoin && retry != null && (failure != null || code == ErrorCode.ROOM_NOT_FOUND)) {
                // The room is between owners (a takeover or a hand-over under way): look again. If
                // nobody else noticed (every player was on the dead node), this node takes it.
                owners.claimAbandoned(roomId, owner, code == ErrorCode.ROOM_NOT_FOUND,
                        request.getHasCursor() ? request.getEventsAfter() : -1);
                retry.run();
            } else if (rejoin) {
                session.leftRoom(roomId);
                session.send(ServerFrames.left(roomId, LeaveReason.ROOM_CLOSED, message));
                if (failure != null) {
                    owners.to(owner).leave(roomId, session.id(), true); // the owner may still hold the seat
                }
            } else if (code == ErrorCode.ROOM_FULL || code == ErrorCode.ROOM_NOT_FOUND) {
                attempt.retryOr(retry, code, message);
            } else {
                attempt.fail(code == null ? ErrorCode.INTERNAL : code, message);
            }
            return;
        }
        boolean live = sessions.apply(session.id()) == session && (rejoin ? !session.isExpired() : session.enteredRoom(roomId));
        if (!live || !members.admit(roomId, session, reply.getJoinedFrame().toByteArray(),
                reply.getEventsList().stream().map(e -> e.toByteArray()).toList())) {
            // The session expired, or the room was lost, while the join was on its way: the seat goes back.
            if (!rejoin) {
                session.notJoining(roomId);
            }
            members.forget(roomId, session);
            session.leftRoom(roomId);
            owners.to(owner).leave(roomId, session.id(), true);
            return;
        }
        if (!rejoin) {
            owners.to(owner).claim(roomId, session.id());
        }
    }

    private String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof OwnerChannel.JoinTimedOut) {
            metrics.joinTimeouts.increment();
            return cause.getMessage();
        }
        log.warn("a join failed on this node's side", cause);
        return "the join failed on the server's side"; // no internal detail to a client: it is logged and counted
    }

    private JoinRequest.Builder request(Session session, String roomId, String gameType) {
        return JoinRequest.newBuilder().setRoomId(roomId).setPlayerId(session.id()).setPlayerName(session.name())
                .setGameType(gameType).setGatewayIncarnation(incarnation);
    }

    /** One join of one session: how it ends when it fails (the error, and the room slot given back). */
    private static final class Attempt {
        final Session session;
        final int requestId;

        Attempt(Session session, int requestId) {
            this.session = session;
            this.requestId = requestId;
        }

        void fail(ErrorCode code, String message) {
            session.joinFailed();
            session.send(ServerFrames.error(code, message, requestId));
        }

        void retryOr(Runnable retry, ErrorCode code, String message) {
            if (retry != null) {
                retry.run();
            } else {
                fail(code, message);
            }
        }
    }
}
