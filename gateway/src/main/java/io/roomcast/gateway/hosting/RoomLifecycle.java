package io.roomcast.gateway.hosting;

import io.roomcast.core.loop.Clock;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.EventStore;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.gateway.cluster.RoomDirectory;
import io.roomcast.gateway.cluster.RoomOwnership;
import io.roomcast.gateway.cluster.SnapshotStore;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.members.Members;
import io.roomcast.gateway.members.RoomFanout;
import io.roomcast.gateway.routing.MemberChannel;
import io.roomcast.gateway.routing.RoomCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A room's life on its owner: created (fresh or by name), its seats published to the directory
 * as they change, closed when its last seat is freed — whatever freed it — or when it stayed
 * empty for {@code --empty-room-ms}, and deregistered with every key it had. See "Room lifecycle
 * and its backstops" in docs/architecture.md. Thread-safe; the {@link RoomHost.Events} methods run
 * on the room's thread.
 */
final class RoomLifecycle implements RoomHost.Events, RoomCreator {

    private static final Logger log = LoggerFactory.getLogger(RoomLifecycle.class);

    private static final String ROOM_ID_CHARS = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    private final NodeConfig config;
    private final Map<String, RoomType<?>> games;
    private final RoomHosts hosts;
    private final RoomDirectory directory;
    private final RoomOwnership ownership;
    private final SnapshotStore snapshots;
    private final MessageBus bus;
    private final RoomWorkers workers;
    private final Clock clock;
    private final NodeMetrics metrics;
    private final Members members;
    private final MemberChannel memberChannel;
    private final EventStore eventStore;
    private final SecureRandom random = new SecureRandom();
    private BiConsumer<RoomHost, Long> onStateSent = (host, n) -> {};
    private Function<RoomHost, CompletionStage<Void>> onSeatsChanged = host -> DONE;

    RoomLifecycle(NodeConfig config, Map<String, RoomType<?>> games, RoomHosts hosts, RoomDirectory directory,
                  RoomOwnership ownership, SnapshotStore snapshots, MessageBus bus, RoomWorkers workers, Clock clock,
                  NodeMetrics metrics, Members members, MemberChannel memberChannel, EventStore eventStore) {
        this.eventStore = eventStore;
        this.config = config;
        this.games = games;
        this.hosts = hosts;
        this.directory = directory;
        this.ownership = ownership;
        this.snapshots = snapshots;
        this.bus = bus;
        this.workers = workers;
        this.clock = clock;
        this.metrics = metrics;
        this.members = members;
        this.memberChannel = memberChannel;
    }

    /** Who hears of every state a room sends (the snapshots). */
    void onStateSent(BiConsumer<RoomHost, Long> listener) {
        this.onStateSent = listener;
    }

    /**
     * Who hears of every change of a room's seats or of its players' nodes (the snapshots); its
     * stage completes once the change is saved.
     */
    void onSeatsChanged(Function<RoomHost, CompletionStage<Void>> listener) {
        this.onSeatsChanged = listener;
    }

    // ───────────── creation ─────────────

    @Override
    public CompletionStage<Created> create(String gameType, String name, Map<String, String> options) {
        RoomType<?> type = games.get(gameType);
        if (type == null) {
            throw new IllegalArgumentException("no game " + gameType);
        }
        if (!hosts.takeSlot()) {
            return CompletableFuture.completedFuture(new Created(Outcome.NODE_FULL, name));
        }
        String roomId = name != null ? name : newRoomId();
        hosts.starting(roomId);
        long claimedAt = System.nanoTime();
        return ownership.claim(roomId, RoomOwnership.Claim.FRESH).handle((lease, failure) -> {
            if (failure != null || lease.isEmpty()) {
                hosts.giveSlotBack();
                hosts.started(roomId, null);
                if (failure != null) {
                    throw new IllegalStateException("claiming room " + roomId + " failed", failure);
                }
                return new Created(Outcome.NAME_TAKEN, roomId);
            }
            RoomHost host = newHost(type, lease.get(), claimedAt, options);
            metrics.roomsCreated.increment();
            host.executor().execute(() -> {
                log.debug("room opened: {} (epoch {})", type.name(), host.lease().epoch()); // on the room's thread: the line carries its id
                host.runtime().start();
            });
            hosts.started(roomId, host);
            directory.publish(new RoomDirectory.RoomEntry(roomId, type.name(), host.filterKey(), host.maxPlayers()));
            return new Created(Outcome.CREATED, roomId);
        });
    }

    @Override
    public String filterKey(String gameType, Map<String, String> options) {
        return RoomDirectory.filterKey(games.get(gameType).filterBy(), options);
    }

    @Override
    public boolean hosts(String roomId) {
        return hosts.get(roomId) != null;
    }

    @Override
    public Set<String> gameTypes() {
        return games.keySet();
    }

    /**
     * A host with its runtime created with {@code options} (a taken-over room: its snapshot's), its
     * members here, and its lease window opened from {@code claimedAt} (when the claim that got the
     * lease was sent); not started, not registered.
     */
    <I> RoomHost newHost(RoomType<I> type, RoomOwnership.Lease lease, long claimedAt, Map<String, String> options) {
        RoomSettings settings = effectiveSettings(type.settings());
        SerialExecutor executor = new SerialExecutor(workers.pool(), lease.roomId(), config.roomQueueMax,
                e -> metrics.roomTaskErrors.increment());
        RoomFanout localMembers = members.hostHere(lease.roomId(), lease.epoch());
        RoomHost host = new RoomHost(lease.roomId(), type.name(), RoomDirectory.filterKey(type.filterBy(), options),
                settings.maxPlayers(), executor, lease, new LeaseWindow(TimeUnit.MILLISECONDS.toNanos(config.leaseMs)),
                localMembers, bus, memberChannel, eventStore, this);
        host.leaseConfirmed(claimedAt);
        host.attach(new RoomRuntime<>(lease.roomId(), type, settings, clock, workers.schedulerFor(executor), metrics.timingTicks(type.name(), host),
                random.nextLong(), options, config.tickPhases));
        return host;
    }

    /** The game's settings as this node runs them: seats capped, TICK_RATE applied. */
    RoomSettings effectiveSettings(RoomSettings game) {
        RoomSettings settings = game.withMaxPlayers(Math.min(game.maxPlayers(), config.maxPlayersPerRoom));
        return config.tickRate > 0 ? settings.withTickRateHz(config.tickRate) : settings;
    }

    // ───────────── while it runs (room thread) ─────────────

    @Override
    public void seatsChanged(RoomHost host) {
        seatsChangedAndSaved(host);
    }

    /** Room thread: as {@link #seatsChanged}; the stage completes once the change is saved. */
    CompletionStage<Void> seatsChangedAndSaved(RoomHost host) {
        if (host.runtime().isClosed() || host.isFenced()) {
            return DONE;
        }
        if (host.runtime().playerCount() == 0) {
            close(host);
            return DONE;
        }
        publishSeats(host);
        return onSeatsChanged.apply(host);
    }

    /** Room thread: a seated player came back through another node (a resume); the stage completes once that is saved. */
    CompletionStage<Void> seatMoved(RoomHost host) {
        if (host.runtime().isClosed() || host.isFenced()) {
            return DONE;
        }
        return onSeatsChanged.apply(host);
    }

    @Override
    public void stateSent(RoomHost host, long statesSent) {
        onStateSent.accept(host, statesSent);
    }

    /** Room thread: the directory learns the room's free seats. */
    void publishSeats(RoomHost host) {
        directory.publish(new RoomDirectory.RoomEntry(host.roomId(), host.gameType(), host.filterKey(),
                host.maxPlayers() - host.runtime().playerCount()));
    }

    /** Room thread: every player gets Left ROOM_CLOSED, then {@link #roomClosed}. */
    void close(RoomHost host) {
        if (!host.runtime().isClosed()) {
            host.runtime().close();
        }
    }

    @Override
    public void roomClosed(RoomHost host) {
        if (hosts.remove(host)) {
            metrics.roomsClosed.increment();
            log.debug("room closed");
        }
        members.unhost(host.localMembers());
        if (!host.isFenced()) {
            forget(host);
        }
    }

    /** The room is gone for good: its directory entry, its snapshot, its lease and epoch. */
    void forget(RoomHost host) {
        directory.remove(host.roomId(), host.gameType(), host.filterKey());
        snapshots.delete(host.roomId());
        eventStore.delete(host.roomId());
        ownership.retire(host.lease());
    }

    // ───────────── backstop ─────────────

    /** Closes the rooms that have had no seat taken for {@code --empty-room-ms}. Any thread. */
    void closeEmptyRooms(long nowNanos) {
        long budget = TimeUnit.MILLISECONDS.toNanos(config.emptyRoomMs);
        for (RoomHost host : hosts.all()) {
            long since = host.emptySinceNanos();
            if (since != 0 && nowNanos - since > budget && !host.isFenced()) {
                host.executor().execute(() -> {
                    if (!host.runtime().isClosed() && host.runtime().playerCount() == 0) {
                        metrics.emptyRoomsClosed.increment();
                        close(host);
                    }
                });
            }
        }
    }

    private String newRoomId() {
        StringBuilder id = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            id.append(ROOM_ID_CHARS.charAt(random.nextInt(ROOM_ID_CHARS.length())));
        }
        return id.toString();
    }
}
