package io.roomcast.gateway.room;

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
import io.roomcast.proto.cluster.InputBatch;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;
import io.roomcast.proto.cluster.KeyframeRequest;
import io.roomcast.proto.cluster.LeaveRequest;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.PlayerFrame;
import io.roomcast.proto.cluster.SeatRemoved;
import io.roomcast.proto.v1.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The rooms this node owns: creating them, answering the requests addressed to their owner
 * (from this node's sessions or from other nodes' inboxes), renewing their leases (fencing the
 * ones lost), saving their snapshots, and taking over rooms whose owner went silent. Every touch
 * of a runtime happens in a task on that room's serial executor. Thread-safe.
 */
final class OwnedRooms {

    private static final Logger log = LoggerFactory.getLogger(OwnedRooms.class);
    private static final String ROOM_ID_CHARS = "abcdefghijkmnpqrstuvwxyz23456789";

    private final String nodeId;
    private final NodeConfig config;
    private final Map<String, RoomType<?>> games;
    private final RoomDirectory directory;
    private final RoomOwnership ownership;
    private final SnapshotStore snapshots;
    private final MessageBus bus;
    private final RoomWorkers workers;
    private final Clock clock;
    private final NodeMetrics metrics;
    private final Function<String, Session> sessions;
    private final Membership membership;
    private final BiConsumer<String, NodeMessage.Builder> toNode;
    private final ConcurrentHashMap<String, RoomHost> hosts = new ConcurrentHashMap<>();
    private final AtomicInteger roomSlots = new AtomicInteger();
    private final Set<String> takingOver = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();

    /**
     * @param toNode sends a message to a node's inbox, or handles it here when it is this node
     */
    OwnedRooms(String nodeId, NodeConfig config, Map<String, RoomType<?>> games, RoomDirectory directory,
               RoomOwnership ownership, SnapshotStore snapshots, MessageBus bus, RoomWorkers workers, Clock clock,
               NodeMetrics metrics, Function<String, Session> sessions, Membership membership,
               BiConsumer<String, NodeMessage.Builder> toNode) {
        this.nodeId = nodeId;
        this.config = config;
        this.games = games;
        this.directory = directory;
        this.ownership = ownership;
        this.snapshots = snapshots;
        this.bus = bus;
        this.workers = workers;
        this.clock = clock;
        this.metrics = metrics;
        this.sessions = sessions;
        this.membership = membership;
        this.toNode = toNode;
    }

    RoomHost host(String roomId) {
        return hosts.get(roomId);
    }

    Collection<String> ids() {
        return hosts.keySet();
    }

    /** Every third of the lease: renew the leases, take over rooms whose owner went silent. */
    void maintain() {
        renewLeases();
        takeOverSilentRooms();
    }

    void inputs(InputBatch batch) {
        batch.getInputsList().forEach(input -> {
            RoomHost host = hosts.get(input.getRoomId());
            if (host == null || !host.runtime().offerInput(input.getPlayerId(), input.getSeq(), input.getPayload())) {
                metrics.inputsQueueFull.increment();
            }
        });
    }

    void keyframe(KeyframeRequest request) {
        RoomHost host = hosts.get(request.getRoomId());
        if (host != null) {
            host.executor().execute(() -> host.runtime().requestKeyframe(request.getPlayerId()));
        }
    }

    /**
     * The node is going down. Alone (no snapshot store) it closes every room: players get Left
     * ROOM_CLOSED. In a cluster it hands each room over instead: a last snapshot, then the room
     * stops silently and its lease is released, so a node with members in it takes it over and
     * those players keep their seats. Waits up to {@code timeoutMillis}.
     */
    void closeAll(long timeoutMillis) {
        CountDownLatch closed = new CountDownLatch(hosts.size());
        boolean handOver = snapshots != SnapshotStore.NONE;
        for (RoomHost host : hosts.values()) {
            host.executor().execute(() -> {
                if (handOver) {
                    handOver(host).whenComplete((done, failure) -> closed.countDown());
                } else {
                    closeRoom(host);
                    closed.countDown();
                }
            });
        }
        try {
            closed.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A join request for a room this node owns (a seat, or a resuming player's fresh Joined). */
    void join(String from, JoinRequest request) {
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
        toNode.accept(to, NodeMessage.newBuilder().setJoinReply(reply));
    }

    void emit(String from, EmitRequest request) {
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
        toNode.accept(to, NodeMessage.newBuilder().setEmitReply(EmitReply.newBuilder().setPlayerId(request.getPlayerId())
                .setAckId(request.getAckId()).setRequestId(request.getRequestId()).setOk(result.ok())
                .setErrorCode(result.error().getNumber()).setMessage(result.message())));
    }

    void leave(LeaveRequest request) {
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
        toNode.accept(node == null ? nodeId : node, NodeMessage.newBuilder().setSeatRemoved(SeatRemoved.newBuilder()
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

    /** Room thread: the last snapshot, then silence, then the lease is given up. */
    private CompletionStage<Void> handOver(RoomHost host) {
        CompletionStage<Void> saved = saveSnapshot(host);
        host.fence();
        host.runtime().close();
        return saved.thenCompose(done -> ownership.release(host.lease()));
    }

    private CompletionStage<Void> saveSnapshot(RoomHost host) {
        if (host.isFenced() || host.runtime().isClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        HostSnapshot snapshot = HostSnapshot.newBuilder()
                .setRoom(host.runtime().snapshot())
                .putAllPlayerNodes(host.playerNodes())
                .setSavedAtMs(clock.currentTimeMillis())
                .build();
        return snapshots.save(host.roomId(), snapshot.toByteArray());
    }

    /** A new room of {@code type} owned by this node; null when the node holds its maximum of rooms. */
    CompletionStage<RoomHost> create(RoomType<?> type) {
        if (roomSlots.incrementAndGet() > config.maxRoomsPerNode) {
            roomSlots.decrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
        long claimedAt = System.nanoTime();
        return ownership.claim(newRoomId()).thenApply(lease -> {
            if (lease.isEmpty()) { // a fresh random id is never taken; if it is, give the slot back
                roomSlots.decrementAndGet();
                return null;
            }
            return startRoom(type, lease.get(), claimedAt);
        });
    }

    private RoomHost startRoom(RoomType<?> type, RoomOwnership.Lease lease, long claimedAt) {
        RoomHost host = newHost(type, lease, claimedAt);
        metrics.roomsCreated.increment();
        host.executor().execute(host.runtime()::start);
        directory.publish(new RoomDirectory.RoomEntry(lease.roomId(), type.name(), host.maxPlayers()));
        return host;
    }

    /**
     * A host with its runtime, registered as owned; not yet started (or restored). Its lease
     * window opens from {@code claimedAt}, when the claim that got the lease was sent.
     */
    private <I> RoomHost newHost(RoomType<I> type, RoomOwnership.Lease lease, long claimedAt) {
        RoomSettings settings = effectiveSettings(type.settings());
        SerialExecutor executor = new SerialExecutor(workers.pool(), e -> metrics.roomTaskErrors.increment());
        RoomHost host = new RoomHost(lease.roomId(), type.name(), settings.maxPlayers(), executor, lease,
                new LeaseWindow(TimeUnit.MILLISECONDS.toNanos(config.leaseMs)), bus, this);
        host.leaseConfirmed(claimedAt);
        host.attach(new RoomRuntime<>(lease.roomId(), type, settings, clock, workers.schedulerFor(executor), host,
                random.nextLong()));
        hosts.put(lease.roomId(), host);
        return host;
    }

    private RoomSettings effectiveSettings(RoomSettings game) {
        RoomSettings settings = game.withMaxPlayers(Math.min(game.maxPlayers(), config.maxPlayersPerRoom));
        return config.tickRate > 0 ? settings.withTickRateHz(config.tickRate) : settings;
    }

    /** Room thread of a room this node owns: a frame of it to this node's members of the room. */
    void deliverLocally(MessageBus.RoomFrame frame) {
        membership.deliverLocally(frame);
    }

    private void renewLeases() {
        for (RoomHost host : hosts.values()) {
            if (host.isFenced()) {
                continue;
            }
            long renewedAt = System.nanoTime();
            ownership.renew(host.lease()).whenComplete((renewed, failure) -> {
                if (Boolean.TRUE.equals(renewed)) {
                    host.leaseConfirmed(renewedAt);
                } else if (Boolean.FALSE.equals(renewed)) {
                    fence(host);
                }
                // A failure (Redis unreachable) keeps the room ticking; its members here keep getting
                // its frames while the lease window lasts (LeaseWindow), the others when Redis is back.
            });
        }
    }

    /**
     * A room with local members whose owner has sent nothing for a whole lease is probably
     * orphaned: claim it (only one node can) and restore its last snapshot.
     */
    private void takeOverSilentRooms() {
        for (Membership.SilentRoom silent : membership.silentRooms(TimeUnit.MILLISECONDS.toNanos(config.leaseMs))) {
            String roomId = silent.roomId();
            if (hosts.containsKey(roomId) || !takingOver.add(roomId)) {
                continue;
            }
            long claimedAt = System.nanoTime();
            ownership.claim(roomId)
                    .thenCompose(lease -> lease.isEmpty()
                            ? CompletableFuture.completedFuture(null)
                            : snapshots.load(roomId).thenAccept(saved -> restoreRoom(lease.get(), saved, silent.formerOwner(), claimedAt)))
                    .whenComplete((done, failure) -> {
                        takingOver.remove(roomId);
                        if (failure != null) {
                            log.warn("taking over room {} failed: {}", roomId, failure.toString());
                        }
                    });
        }
    }

    private void restoreRoom(RoomOwnership.Lease lease, Optional<byte[]> saved, String formerOwner, long claimedAt) {
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
        RoomHost host = newHost(type, lease, claimedAt);
        membership.ownerChanged(lease.roomId(), nodeId, lease.epoch());
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
        membership.ownershipLost(host.roomId()); // the members here hear the new owner from now on
        metrics.roomsFenced.increment();
        host.executor().execute(() -> host.runtime().close());
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

    private String newRoomId() {
        StringBuilder id = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            id.append(ROOM_ID_CHARS.charAt(random.nextInt(ROOM_ID_CHARS.length())));
        }
        return id.toString();
    }
}
