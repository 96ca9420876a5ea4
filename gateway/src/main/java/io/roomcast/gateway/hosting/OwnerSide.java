package io.roomcast.gateway.hosting;

import io.roomcast.core.loop.Clock;
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
import io.roomcast.gateway.routing.MemberChannel;
import io.roomcast.gateway.routing.RoomCreator;
import io.roomcast.gateway.routing.RoomRequests;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The owner side of a node, wired: the registry of its rooms, their lifecycle, the requests they
 * answer, their leases and their takeovers, and the maintenance pass that runs every third of a
 * lease (renewals and the stall watchdog, silent rooms to take over, empty rooms to close, this
 * node's heartbeat and the seats of players whose node is gone).
 * Thread-safe.
 */
public final class OwnerSide {

    private final NodeConfig config;
    private final RoomWorkers workers;
    private final RoomHosts hosts;
    private final RoomLifecycle lifecycle;
    private final OwnerRequests requests;
    private final LeaseKeeper leases;
    private final Takeover takeover;
    private final OrphanedSeats orphans;
    private final boolean cluster;
    private ScheduledFuture<?> maintenance;

    public OwnerSide(NodeConfig config, Collection<RoomType<?>> games, RoomDirectory directory, RoomOwnership ownership,
                     SnapshotStore snapshots, EventStore events, MessageBus bus, Presence presence, RoomWorkers workers,
                     Clock clock, NodeMetrics metrics, Members members, MemberChannel memberChannel) {
        this.config = config;
        this.workers = workers;
        this.cluster = snapshots != SnapshotStore.NONE;
        Map<String, RoomType<?>> byName = new LinkedHashMap<>();
        games.forEach(type -> byName.put(type.name(), type));
        this.hosts = new RoomHosts(config.maxRoomsPerNode);
        this.lifecycle = new RoomLifecycle(config, byName, hosts, directory, ownership, snapshots, bus, workers, clock,
                metrics, members, memberChannel, events);
        this.takeover = new Takeover(config.nodeId, config, byName, hosts, lifecycle, ownership, snapshots, events, directory,
                bus, members, presence, workers, clock, metrics);
        this.requests = new OwnerRequests(hosts, lifecycle, takeover, memberChannel, workers.timer(), 2L * config.joinTimeoutMs,
                metrics);
        this.leases = new LeaseKeeper(hosts, ownership, directory, members, metrics, config.roomStallMs, cluster,
                host -> host.executor().execute(() -> {
                    lifecycle.publishSeats(host);
                    takeover.save(host);
                }));
        this.orphans = new OrphanedSeats(config.nodeId, presence, hosts, lifecycle, memberChannel, metrics, config.seatGraceMs);
        lifecycle.onStateSent(takeover::stateSent);
        lifecycle.onSeatsChanged(takeover::seatsChanged);
        members.onOwnerReleased(takeover::ownerReleased);
    }

    public RoomRequests requests() {
        return requests;
    }

    public RoomCreator creator() {
        return lifecycle;
    }

    /** Starts the maintenance pass, every third of the lease. */
    public void start() {
        long every = Math.max(100, config.leaseMs / 3);
        // The first pass at once: the node is known alive from its start (its heartbeat), not a third of a lease later.
        maintenance = workers.timer().scheduleWithFixedDelay(this::maintain, 0, every, TimeUnit.MILLISECONDS);
    }

    private void maintain() {
        leases.renewAll();
        takeover.takeOverSilentRooms();
        lifecycle.closeEmptyRooms(System.nanoTime());
        if (cluster) {
            orphans.check(); // alone, every player is this node's own: its sessions expire by themselves
        }
    }

    /** Rooms this node owns and ticks. */
    public Collection<String> roomIds() {
        return hosts.ids();
    }

    public int roomCount() {
        return hosts.size();
    }

    /** The rooms this node owns, as the admin report shows them (read on any thread, none of it on a room's). */
    public java.util.List<io.roomcast.proto.cluster.OwnedRoom> ownedRoomsReport() {
        java.util.List<io.roomcast.proto.cluster.OwnedRoom> rooms = new java.util.ArrayList<>();
        for (RoomHost host : hosts.all()) {
            if (host.isFenced()) {
                continue; // given up: another node owns it, or nobody while it is taken over
            }
            var ticks = host.tickSamples().p99();
            rooms.add(io.roomcast.proto.cluster.OwnedRoom.newBuilder()
                    .setRoomId(host.roomId())
                    .setGame(host.gameType())
                    .setEpoch(host.leaseEpoch())
                    .setSeats(host.seatsTaken())
                    .setMaxSeats(host.maxPlayers())
                    .setTickP99Micros(ticks.micros())
                    .setTicksSampled(ticks.samples())
                    .build());
        }
        return rooms;
    }

    /** Players seated in the rooms this node owns of one game type (for /metrics: a pass over the rooms when scraped). */
    public int playerCount(String gameType) {
        int players = 0;
        for (RoomHost host : hosts.all()) {
            if (host.gameType().equals(gameType)) {
                players += host.seatsTaken();
            }
        }
        return players;
    }

    /** Rooms this node owns of one game type (for /metrics: a pass over the rooms when scraped). */
    public int roomCount(String gameType) {
        return (int) hosts.all().stream().filter(host -> host.gameType().equals(gameType)).count();
    }

    /**
     * The node is going down. Alone it closes every room: players get Left ROOM_CLOSED. In a
     * cluster it hands each room over instead: a last snapshot, then the room stops silently and
     * its lease is released, so a node with members in it takes it over and those players keep
     * their seats. Waits up to {@code timeoutMillis}.
     */
    public void closeAll(long timeoutMillis) {
        if (maintenance != null) {
            maintenance.cancel(false);
        }
        CountDownLatch closed = new CountDownLatch(hosts.size());
        for (RoomHost host : hosts.all()) {
            host.executor().execute(() -> {
                if (host.runtime().isClosed()) {
                    closed.countDown(); // emptied by the drain's leaves: closed, nothing to hand over
                } else if (cluster) {
                    takeover.handOver(host).whenComplete((done, failure) -> closed.countDown());
                } else {
                    lifecycle.close(host);
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
}
