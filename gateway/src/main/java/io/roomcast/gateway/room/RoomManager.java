package io.roomcast.gateway.room;

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
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.session.Session;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.proto.v1.RoomCursor;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Rooms on this node: creating them, seating sessions, and routing a session's requests to the
 * room's executor. Callers are I/O threads; every touch of a runtime happens in a task on that
 * room's serial executor. Thread-safe.
 */
public final class RoomManager {

    /** Quick-join tries this many rooms that turn out full (a race with other joins) before giving up. */
    private static final int QUICK_JOIN_ATTEMPTS = 3;
    private static final String ROOM_ID_CHARS = "abcdefghijkmnpqrstuvwxyz23456789";

    private final NodeConfig config;
    private final Map<String, RoomType<?>> games;
    private final RoomDirectory directory;
    private final RoomOwnership ownership;
    private final MessageBus bus;
    private final RoomWorkers workers;
    private final Clock clock;
    private final NodeMetrics metrics;
    private final Function<String, Session> sessions;
    private final ConcurrentHashMap<String, RoomHost> hosts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RoomFanout> fanouts = new ConcurrentHashMap<>();
    private final AtomicInteger roomSlots = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();

    public RoomManager(NodeConfig config, Collection<RoomType<?>> games, RoomDirectory directory,
                       RoomOwnership ownership, MessageBus bus, RoomWorkers workers, Clock clock,
                       NodeMetrics metrics, Function<String, Session> sessions) {
        this.config = config;
        this.games = new ConcurrentHashMap<>();
        games.forEach(type -> this.games.put(type.name(), type));
        this.directory = directory;
        this.ownership = ownership;
        this.bus = bus;
        this.workers = workers;
        this.clock = clock;
        this.metrics = metrics;
        this.sessions = sessions;
    }

    public int roomCount() {
        return hosts.size();
    }

    public Collection<String> gameTypes() {
        return games.keySet();
    }

    // ───────────── requests from sessions (called on I/O threads) ─────────────

    public void join(Session session, Join join, int requestId) {
        if (session.roomCount() >= config.maxRoomsPerSession) {
            session.send(ServerFrames.error(ErrorCode.TOO_MANY_ROOMS,
                    "a session may be in at most " + config.maxRoomsPerSession + " rooms", requestId));
            return;
        }
        switch (join.getTargetCase()) {
            case ROOM_ID -> joinRoom(session, join.getRoomId(), requestId);
            case GAME_TYPE -> quickJoin(session, join.getGameType(), requestId, QUICK_JOIN_ATTEMPTS);
            default -> session.send(ServerFrames.error(ErrorCode.INVALID_ARGUMENT,
                    "join needs a room_id or a game_type", requestId));
        }
    }

    public void leave(Session session, String roomId, int requestId) {
        RoomHost host = session.room(roomId);
        if (host == null) {
            session.send(ServerFrames.error(ErrorCode.NOT_IN_ROOM, "not in room " + roomId, requestId));
            return;
        }
        host.executor().execute(() -> {
            if (host.runtime().leave(session.id(), LeaveCause.REQUESTED)) {
                release(host, session);
                session.send(ServerFrames.left(roomId, LeaveReason.LEAVE_REQUESTED, ""));
            } else {
                session.send(ServerFrames.error(ErrorCode.NOT_IN_ROOM, "not in room " + roomId, requestId));
            }
        });
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
        RoomHost host = session.room(emit.getRoomId());
        if (host == null) {
            refuse(session, emit.getAckId(), requestId, ErrorCode.NOT_IN_ROOM, "not in room " + emit.getRoomId());
            return;
        }
        host.executor().execute(() -> {
            EmitResult result = host.runtime().emit(session.id(), emit.getName(), emit.getPayload(), emit.getToPlayer());
            if (result.ok()) {
                if (emit.getAckId() != 0) {
                    session.send(ServerFrames.ack(emit.getAckId(), true, ErrorCode.ERROR_CODE_UNSPECIFIED, ""));
                }
            } else {
                refuse(session, emit.getAckId(), requestId, result.error(), result.message());
            }
        });
    }

    public void requestKeyframe(Session session, String roomId, int requestId) {
        RoomHost host = session.room(roomId);
        if (host == null) {
            session.send(ServerFrames.error(ErrorCode.NOT_IN_ROOM, "not in room " + roomId, requestId));
            return;
        }
        host.executor().execute(() -> host.runtime().requestKeyframe(session.id()));
    }

    /** A session came back on a new socket: re-send each room's Joined and the events it missed. */
    public void resumed(Session session, List<RoomCursor> cursors) {
        Map<String, Long> lastSeen = new ConcurrentHashMap<>();
        cursors.forEach(c -> lastSeen.put(c.getRoomId(), c.getLastEventOffset()));
        for (RoomHost host : session.rooms()) {
            host.executor().execute(() -> {
                byte[] joined = host.runtime().rejoinFrame(session.id());
                if (joined == null) {
                    session.leftRoom(host.roomId());
                    return;
                }
                session.send(joined);
                Long cursor = lastSeen.get(host.roomId());
                if (cursor != null) {
                    host.runtime().eventsAfter(cursor).forEach(session::send);
                }
            });
        }
    }

    /** The session's grace period ended without a resume: free its seats. */
    public void seatsExpired(Session session) {
        for (RoomHost host : session.rooms()) {
            host.executor().execute(() -> {
                if (host.runtime().leave(session.id(), LeaveCause.SEAT_EXPIRED)) {
                    release(host, session);
                }
            });
        }
    }

    /** Closes every room (players get Left ROOM_CLOSED) and waits up to {@code timeoutMillis}. */
    public void closeAll(long timeoutMillis) {
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
    }

    // ───────────── callbacks of RoomHost (on the room's executor) ─────────────

    void sendToPlayer(String playerId, byte[] serverFrame) {
        Session session = sessions.apply(playerId);
        if (session != null) {
            session.send(serverFrame);
        }
    }

    void seatFreed(RoomHost host, String playerId, LeaveCause cause, String detail) {
        Session session = sessions.apply(playerId);
        if (session == null) {
            return;
        }
        session.leftRoom(host.roomId());
        removeMember(host.roomId(), session);
        session.send(ServerFrames.left(host.roomId(),
                cause == LeaveCause.KICKED ? LeaveReason.KICKED : LeaveReason.ROOM_CLOSED, detail));
        if (!host.runtime().isClosed()) {
            publishSeats(host);
        }
    }

    void roomClosed(RoomHost host) {
        if (hosts.remove(host.roomId(), host)) {
            roomSlots.decrementAndGet();
            metrics.roomsClosed.increment();
            directory.remove(host.roomId());
            ownership.release(host.lease());
        }
    }

    // ───────────── internals ─────────────

    private void joinRoom(Session session, String roomId, int requestId) {
        RoomHost host = hosts.get(roomId);
        if (host == null) {
            session.send(ServerFrames.error(ErrorCode.ROOM_NOT_FOUND, "no room " + roomId, requestId));
            return;
        }
        seat(session, host, requestId, null);
    }

    private void quickJoin(Session session, String gameType, int requestId, int attemptsLeft) {
        RoomType<?> type = games.get(gameType);
        if (type == null) {
            session.send(ServerFrames.error(ErrorCode.UNKNOWN_GAME,
                    "no game '" + gameType + "'; this node has " + games.keySet(), requestId));
            return;
        }
        Runnable retry = attemptsLeft > 1 ? () -> quickJoin(session, gameType, requestId, attemptsLeft - 1) : null;
        directory.findJoinable(gameType)
                .thenCompose(found -> {
                    RoomHost existing = found.map(entry -> hosts.get(entry.roomId())).orElse(null);
                    return existing != null ? CompletableFuture.completedFuture(existing) : createRoom(type);
                })
                .whenComplete((host, failure) -> {
                    if (failure != null) {
                        session.send(ServerFrames.error(ErrorCode.INTERNAL, "could not create a room", requestId));
                    } else if (host == null) {
                        session.send(ServerFrames.error(ErrorCode.TOO_MANY_ROOMS,
                                "this node hosts its maximum of " + config.maxRoomsPerNode + " rooms", requestId));
                    } else {
                        seat(session, host, requestId, retry);
                    }
                });
    }

    /** Takes a seat in {@code host}'s room; when the room is full or gone, runs {@code retry} if given. */
    private void seat(Session session, RoomHost host, int requestId, Runnable retry) {
        host.executor().execute(() -> {
            RoomRuntime<?> runtime = host.runtime();
            if (runtime.isClosed()) {
                if (retry != null) {
                    retry.run();
                } else {
                    session.send(ServerFrames.error(ErrorCode.ROOM_NOT_FOUND, "room " + host.roomId() + " closed", requestId));
                }
                return;
            }
            switch (runtime.join(session.id(), session.name())) {
                case JoinResult.Seated seated -> {
                    if (sessions.apply(session.id()) != session) {
                        // The session expired while the join was on its way: give the seat back.
                        runtime.leave(session.id(), LeaveCause.SEAT_EXPIRED);
                        closeIfEmpty(host);
                        return;
                    }
                    session.enteredRoom(host);
                    session.send(seated.joinedFrame()); // before any state: ticks run on this executor too
                    addMember(host.roomId(), session);
                    publishSeats(host);
                }
                case JoinResult.Refused refused -> {
                    if (refused.code() == ErrorCode.ROOM_FULL && retry != null) {
                        retry.run();
                    } else {
                        session.send(ServerFrames.error(refused.code(), refused.message(), requestId));
                    }
                }
            }
        });
    }

    private CompletionStage<RoomHost> createRoom(RoomType<?> type) {
        if (roomSlots.incrementAndGet() > config.maxRoomsPerNode) {
            roomSlots.decrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
        String roomId = newRoomId();
        return ownership.claim(roomId).thenApply(lease -> startRoom(type, lease));
    }

    private <I> RoomHost startRoom(RoomType<I> type, RoomOwnership.Lease lease) {
        RoomSettings settings = effectiveSettings(type.settings());
        SerialExecutor executor = new SerialExecutor(workers.pool(), e -> metrics.roomTaskErrors.increment());
        RoomHost host = new RoomHost(lease.roomId(), type.name(), settings.maxPlayers(), executor, lease, bus, this);
        RoomRuntime<I> runtime = new RoomRuntime<>(lease.roomId(), type, settings, clock,
                workers.schedulerFor(executor), host, random.nextLong());
        host.attach(runtime);
        hosts.put(lease.roomId(), host);
        metrics.roomsCreated.increment();
        executor.execute(runtime::start);
        directory.publish(new RoomDirectory.RoomEntry(lease.roomId(), type.name(), settings.maxPlayers()));
        return host;
    }

    private RoomSettings effectiveSettings(RoomSettings game) {
        RoomSettings settings = game.withMaxPlayers(Math.min(game.maxPlayers(), config.maxPlayersPerRoom));
        return config.tickRate > 0 ? settings.withTickRateHz(config.tickRate) : settings;
    }

    private void emitDirect(Session session, Emit emit, int requestId) {
        Session target = emit.getToPlayer().isEmpty() ? null : sessions.apply(emit.getToPlayer());
        if (target == null) {
            refuse(session, emit.getAckId(), requestId, ErrorCode.PLAYER_NOT_FOUND, "no player '" + emit.getToPlayer() + "'");
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

    /** On the room's executor, after the runtime freed {@code session}'s seat. */
    private void release(RoomHost host, Session session) {
        session.leftRoom(host.roomId());
        removeMember(host.roomId(), session);
        publishSeats(host);
        closeIfEmpty(host);
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

    private void addMember(String roomId, Session session) {
        fanouts.compute(roomId, (id, fanout) -> {
            if (fanout == null) {
                fanout = new RoomFanout(metrics);
                fanout.subscription(bus.subscribe(id, fanout::deliver));
            }
            fanout.add(session);
            return fanout;
        });
    }

    private void removeMember(String roomId, Session session) {
        fanouts.computeIfPresent(roomId, (id, fanout) -> {
            if (fanout.remove(session)) {
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
