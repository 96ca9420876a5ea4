package io.roomcast.gateway.hosting;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.loop.Clock;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.RoomType;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.EventStore;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.cluster.Presence;
import io.roomcast.gateway.cluster.RoomDirectory;
import io.roomcast.gateway.cluster.RoomOwnership;
import io.roomcast.gateway.cluster.SnapshotStore;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.members.Members;
import io.roomcast.gateway.session.ServerFrames;
import io.roomcast.proto.cluster.HostSnapshot;
import io.roomcast.proto.cluster.RoomSnapshot;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.gateway.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Snapshots and takeovers: an owner saves each room every {@code --snapshot-every-ticks} ticks
 * (and once more when it hands the room over on drain); a node whose members' room went silent
 * for a whole lease claims it and restores the last snapshot — or, when there is none it can
 * use, ends the room for every member ({@code ROOM_LOST}) and deletes its keys, once. See
 * "Snapshots and takeover" in docs/architecture.md. Thread-safe.
 */
final class Takeover {

    private static final Logger log = LoggerFactory.getLogger(Takeover.class);
    static final String LOST_DETAIL = "the room's node was lost before the room was saved";

    private final String nodeId;
    private final NodeConfig config;
    private final Map<String, RoomType<?>> games;
    private final RoomHosts hosts;
    private final RoomLifecycle lifecycle;
    private final RoomOwnership ownership;
    private final SnapshotStore snapshots;
    private final EventStore events;
    private final RoomDirectory directory;
    private final MessageBus bus;
    private final Members members;
    private final Presence presence;
    private final RoomWorkers workers;
    private final Clock clock;
    private final NodeMetrics metrics;
    private final Set<String> takingOver = ConcurrentHashMap.newKeySet();

    Takeover(String nodeId, NodeConfig config, Map<String, RoomType<?>> games, RoomHosts hosts, RoomLifecycle lifecycle,
             RoomOwnership ownership, SnapshotStore snapshots, EventStore events, RoomDirectory directory, MessageBus bus,
             Members members, Presence presence, RoomWorkers workers, Clock clock, NodeMetrics metrics) {
        this.presence = presence;
        this.nodeId = nodeId;
        this.config = config;
        this.games = games;
        this.hosts = hosts;
        this.lifecycle = lifecycle;
        this.ownership = ownership;
        this.snapshots = snapshots;
        this.events = events;
        this.directory = directory;
        this.bus = bus;
        this.members = members;
        this.workers = workers;
        this.clock = clock;
        this.metrics = metrics;
    }

    // ───────────── snapshots (room thread) ─────────────

    /** Called for every state the room sent: every few ticks, a snapshot for a takeover. */
    void stateSent(RoomHost host, long statesSent) {
        if (snapshots != SnapshotStore.NONE && statesSent % config.snapshotEveryTicks == 0) {
            host.executor().execute(() -> save(host)); // after this tick, not inside it
        }
    }

    /**
     * Room thread: a seat was taken or given up, or a player came back through another node. The
     * room is saved right after (once for a burst of them): a takeover from the periodic snapshot
     * alone would not know a player seated since, and refuse its resume ("the seat was given up"),
     * or think it still on a node it left, and free its seat once that node is gone.
     *
     * <p>The stage completes once a snapshot taken after this change is in the store, or its save
     * failed: a join is answered only then (docs/architecture.md, "A seat is saved before anyone
     * hears of it"). At once where nothing is saved (a single node).
     */
    CompletionStage<Void> seatsChanged(RoomHost host) {
        if (snapshots == SnapshotStore.NONE) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> queued = host.queuedSave();
        if (queued != null) {
            return queued; // the queued snapshot is taken after this change: it holds it
        }
        CompletableFuture<Void> saved = new CompletableFuture<>();
        host.queuedSave(saved);
        host.executor().execute(() -> {
            host.queuedSave(null);
            try {
                save(host).whenComplete((ok, failure) -> saved.complete(null));
            } catch (RuntimeException e) {
                saved.complete(null);
                throw e;
            }
        });
        return saved;
    }

    CompletionStage<Void> save(RoomHost host) {
        if (host.isFenced() || host.runtime().isClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        HostSnapshot snapshot = HostSnapshot.newBuilder()
                .setRoom(host.runtime().snapshot())
                .putAllPlayerNodes(host.playerNodes())
                .putAllPlayerIncarnations(host.playerIncarnations())
                .build();
        return snapshots.save(host.roomId(), snapshot.toByteArray());
    }

    /**
     * Room thread, on drain: the last snapshot, then silence, then the lease is given up, and the
     * nodes with members are told so on the room's channel: one of them claims the room at once
     * instead of after a lease of silence.
     */
    CompletionStage<Void> handOver(RoomHost host) {
        RoomOwnership.Lease lease = host.lease();
        long tick = host.runtime().tick();
        long lastEventOffset = host.runtime().lastEventOffset();
        CompletionStage<Void> saved = save(host);
        host.fence();
        host.runtime().close();
        return saved.thenCompose(done -> ownership.release(lease)).thenRun(() ->
                bus.publishRoom(new MessageBus.RoomFrame(lease.roomId(), nodeId, lease.epoch(), tick, lastEventOffset,
                        new byte[0], null, false, true)));
    }

    /** A room's owner drained and released it: claim it now (one node with members wins). */
    void ownerReleased(String roomId) {
        members.silentRoom(roomId).ifPresent(this::takeOver);
    }

    // ───────────── takeover ─────────────

    /** Claims the rooms with members here whose owner sent nothing for a whole lease. Timer thread. */
    void takeOverSilentRooms() {
        long leaseNanos = TimeUnit.MILLISECONDS.toNanos(config.leaseMs);
        members.silentRooms(leaseNanos).forEach(this::takeOver);
    }

    /**
     * A resume found the room's owner gone (see RoomRequests#claimAbandoned). Claimed only when
     * the owner is surely gone — it said it does not host the room, its heartbeat lapsed, or the
     * room has no lease (a drained owner released it; {@code formerOwner} null) — and
     * the room has a snapshot: after a Redis that came back empty, an owner not yet heard again
     * keeps its room (its renewal claims it back), and nothing here ends a room for lack of one.
     * The claim itself is the usual one: only if the lease is absent. The room's event offsets go
     * on past {@code eventsSeen}, the last one the resuming player saw (-1: unknown): the dead
     * owner may have given out events it never stored, and nobody else heard the room to say so.
     */
    void claimAbandoned(String roomId, String formerOwner, boolean ownerSaysNotHere, long eventsSeen) {
        if (hosts.get(roomId) != null || takingOver.contains(roomId)) {
            return;
        }
        long resubscribed = bus.resubscribedAtNanos();
        if (resubscribed != 0 && System.nanoTime() - resubscribed < TimeUnit.MILLISECONDS.toNanos(config.leaseMs)) {
            return; // Redis came back a moment ago: a live owner claims its room again first
        }
        CompletionStage<Boolean> gone = ownerSaysNotHere || formerOwner == null ? CompletableFuture.completedFuture(true)
                : presence.alive(List.of(formerOwner)).thenApply(alive -> !alive.containsKey(formerOwner));
        gone.thenCompose(ownerGone -> ownerGone ? snapshots.load(roomId) : CompletableFuture.completedFuture(Optional.<byte[]>empty()))
                .thenAccept(saved -> {
                    if (saved.isPresent()) {
                        try (var ignored = LogContext.room(roomId)) {
                            log.info("room {}: its owner {} is gone ({}): claiming it", roomId, formerOwner,
                                    formerOwner == null ? "no lease" : ownerSaysNotHere ? "it does not host the room" : "no heartbeat");
                        }
                        metrics.abandonedRoomsClaimed.increment();
                        takeOver(members.silentRoom(roomId).orElse(
                                new Members.SilentRoom(roomId, formerOwner, 0, Math.max(0, eventsSeen), 0)));
                    }
                });
    }

    private void takeOver(Members.SilentRoom silent) {
        String roomId = silent.roomId();
        if (hosts.get(roomId) != null || !takingOver.add(roomId)) {
            return;
        }
        long claimedAt = System.nanoTime();
        ownership.claim(roomId, RoomOwnership.Claim.TAKEOVER)
                .thenCompose(lease -> lease.isEmpty()
                        ? CompletableFuture.completedFuture(null)
                        : snapshots.load(roomId).thenCompose(saved -> events.recent(roomId)
                                .thenAccept(logged -> restoreOrEnd(lease.get(), saved, logged, silent, claimedAt))))
                .whenComplete((done, failure) -> {
                    takingOver.remove(roomId);
                    if (failure != null) {
                        try (var ignored = LogContext.room(roomId)) {
                            log.warn("taking over room {} failed: {}", roomId, failure.toString());
                        }
                    }
                });
    }

    private void restoreOrEnd(RoomOwnership.Lease lease, Optional<byte[]> saved, List<byte[]> logged, Members.SilentRoom silent,
                              long claimedAt) {
        try (var ignored = LogContext.room(lease.roomId())) {
            restoreOrEndHere(lease, saved, logged, silent, claimedAt);
        }
    }

    private void restoreOrEndHere(RoomOwnership.Lease lease, Optional<byte[]> saved, List<byte[]> logged,
                                  Members.SilentRoom silent, long claimedAt) {
        HostSnapshot snapshot = null;
        try {
            snapshot = saved.isPresent() ? HostSnapshot.parseFrom(saved.get()) : null;
        } catch (InvalidProtocolBufferException e) {
            log.warn("room {}: its snapshot does not decode: {}", lease.roomId(), e.toString());
        }
        RoomType<?> type = snapshot == null ? null : games.get(snapshot.getRoom().getGameType());
        if (type == null) {
            end(lease, snapshot == null ? null : snapshot.getRoom().getGameType());
            return;
        }
        if (!hosts.takeSlot()) {
            log.warn("room {}: this node holds its maximum of rooms; leaving the takeover to another node", lease.roomId());
            ownership.release(lease);
            return;
        }
        restore(type, lease, withLoggedEvents(snapshot, logged), silent, claimedAt);
    }

    /** The snapshot with the events the owner logged (before and since it) added: the restored log sorts them out. */
    private static HostSnapshot withLoggedEvents(HostSnapshot snapshot, List<byte[]> logged) {
        RoomSnapshot.Builder room = snapshot.getRoom().toBuilder();
        logged.forEach(event -> room.addRecentEvents(com.google.protobuf.ByteString.copyFrom(event)));
        return snapshot.toBuilder().setRoom(room).build();
    }

    private void restore(RoomType<?> type, RoomOwnership.Lease lease, HostSnapshot snapshot, Members.SilentRoom silent,
                         long claimedAt) {
        RoomHost host = lifecycle.newHost(type, lease, claimedAt, snapshot.getRoom().getOptionsMap());
        hosts.started(lease.roomId(), host);
        // Number the ticks past any the former owner may have sent: the last one heard here, plus
        // the silence measured on this node's clock — no other node's clock is read.
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / lifecycle.effectiveSettings(type.settings()).tickRateHz();
        long lastTick = Math.max(snapshot.getRoom().getTick(), silent.lastTick());
        // Event offsets likewise go on past any the former owner gave out (the events after its last
        // snapshot are lost with it; their offsets are never reused, so no client drops a new event
        // as one it has seen).
        // (A resuming player's word for it, when it claims an abandoned room, is believed up to a
        // log's length past the snapshot: it comes from a client.)
        long savedOffset = snapshot.getRoom().getLastEventOffset();
        long heardOffset = Math.min(silent.lastEventOffset(), savedOffset + lifecycle.effectiveSettings(type.settings()).eventLogCapacity());
        RoomSnapshot room = snapshot.getRoom().toBuilder().setTick(lastTick + silent.silenceNanos() / periodNanos + 1)
                .setLastEventOffset(Math.max(savedOffset, heardOffset)).build();
        host.executor().execute(() -> {
            host.restoredSeats(snapshot.getPlayerNodesMap(), snapshot.getPlayerIncarnationsMap());
            try {
                host.runtime().restore(room);
            } catch (RuntimeException e) {
                log.warn("room {}: its snapshot does not restore: {}", lease.roomId(), e.toString());
                host.fence();
                hosts.remove(host);
                members.unhost(host.localMembers());
                end(lease, type.name());
                return;
            }
            lifecycle.publishSeats(host);
            metrics.roomsTakenOver.increment();
            log.info("took over room {} (epoch {}) from {} at tick {}", lease.roomId(), lease.epoch(), silent.formerOwner(),
                    room.getTick());
        });
        // The seats of players whose node is gone (the former owner's own, typically) are freed by
        // OrphanedSeats after the seat grace; those of nodes still alive are kept.
    }

    /**
     * No snapshot to continue from: the room ends for every member on every node (a last frame at
     * this claim's epoch, which every node's fan-out obeys), and its keys go. Never retried: the
     * fan-outs that heard it are gone, so nobody finds the room silent again.
     */
    private void end(RoomOwnership.Lease lease, String gameType) {
        String roomId = lease.roomId();
        log.warn("room {} cannot be taken over (no usable snapshot): closing it for its members", roomId);
        metrics.roomsLost.increment();
        byte[] left = ServerFrames.left(roomId, LeaveReason.ROOM_LOST, LOST_DETAIL);
        bus.publishRoom(new MessageBus.RoomFrame(roomId, nodeId, lease.epoch(), 0, 0, left, null, true, false));
        members.endLocally(roomId, left); // this node does not hear its own frame from the channel
        directory.remove(roomId, gameType, null); // the entry names the filter key
        snapshots.delete(roomId);
        ownership.retire(lease);
    }
}
