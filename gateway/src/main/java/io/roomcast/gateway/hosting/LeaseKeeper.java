package io.roomcast.gateway.hosting;

import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.RoomDirectory;
import io.roomcast.gateway.cluster.RoomOwnership;
import io.roomcast.gateway.members.Members;
import io.roomcast.gateway.session.ServerFrames;
import io.roomcast.proto.v1.LeaveReason;
import io.roomcast.gateway.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the leases of the rooms this node owns: renews them every third of the lease, fences a
 * room whose lease went to another node, and gives up a room whose thread is stuck (a task
 * running past {@code --room-stall-ms}) instead of renewing its lease forever. See "Ownership,
 * epochs and fencing" in docs/architecture.md. Runs on the timer thread; Redis answers on
 * Lettuce's. Thread-safe.
 */
final class LeaseKeeper {

    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final RoomHosts hosts;
    private final RoomOwnership ownership;
    private final RoomDirectory directory;
    private final Members members;
    private final NodeMetrics metrics;
    private final long stallNanos;
    private final boolean canHandOver;
    private final Consumer<RoomHost> onReclaimed;

    /** @param canHandOver whether another node can take a room over (a cluster with snapshots) */
    /** @param onReclaimed what to write again for a room whose lease Redis had lost (its entry, its snapshot) */
    LeaseKeeper(RoomHosts hosts, RoomOwnership ownership, RoomDirectory directory, Members members, NodeMetrics metrics,
                long stallMillis, boolean canHandOver, Consumer<RoomHost> onReclaimed) {
        this.onReclaimed = onReclaimed;
        this.hosts = hosts;
        this.ownership = ownership;
        this.directory = directory;
        this.members = members;
        this.metrics = metrics;
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
        this.canHandOver = canHandOver;
    }

    void renewAll() {
        long now = System.nanoTime();
        for (RoomHost host : hosts.all()) {
            if (host.isFenced()) {
                continue;
            }
            long stalled = host.executor().stalledFor(now);
            if (stalled > stallNanos) {
                giveUp(host, stalled);
                continue;
            }
            long renewedAt = System.nanoTime();
            RoomOwnership.Lease held = host.lease();
            ownership.renew(held).whenComplete((renewed, failure) -> {
                if (failure != null) {
                    return;
                }
                if (renewed.isEmpty()) {
                    fence(host);
                    return;
                }
                if (renewed.get().epoch() > host.lease().epoch()) {
                    reclaimed(host, renewed.get()); // once: later renewals sent before it may say so again
                }
                host.leaseConfirmed(renewedAt);
                // A failure (Redis unreachable) keeps the room ticking; its members here keep getting
                // its frames while the lease window lasts (LeaseWindow), the others when Redis is back.
            });
        }
    }

    /**
     * Redis no longer had the room's lease (it restarted empty) and nobody else held it: this
     * node claimed it again with a higher epoch and keeps ticking. What Redis lost of the room
     * (its directory entry, its snapshot) is written again.
     */
    private void reclaimed(RoomHost host, RoomOwnership.Lease lease) {
        try (var ignored = LogContext.room(host.roomId())) {
            log.warn("room {}: Redis had lost its lease; claimed again at epoch {}", host.roomId(), lease.epoch());
        }
        metrics.leasesReclaimed.increment();
        host.leaseReclaimed(lease);
        members.hostHere(host.roomId(), lease.epoch());
        onReclaimed.accept(host);
    }

    /** The lease went to another node: stop this runtime without a word to the players. */
    private void fence(RoomHost host) {
        if (host.isFenced()) {
            return; // several renewals were on their way: the first answer fenced it
        }
        host.fence();
        members.unhost(host.localMembers()); // the members here hear the new owner from now on
        metrics.roomsFenced.increment();
        host.executor().execute(() -> host.runtime().close());
    }

    /**
     * The room's thread has been stuck in one task for longer than the budget: it sends nothing
     * from now on and closes if it ever returns. In a cluster its lease is released and a node with
     * members takes it over from its last snapshot (this one only if nobody else did within a lease); alone, its members are told
     * it closed. The worker it holds stays held.
     */
    private void giveUp(RoomHost host, long stalledNanos) {
        try (var ignored = LogContext.room(host.roomId())) {
            log.warn("room {} ({}) has been stuck in one task for {} ms: giving it up{}", host.roomId(), host.gameType(),
                    TimeUnit.NANOSECONDS.toMillis(stalledNanos), canHandOver ? " for a takeover" : "");
        }
        metrics.roomsStalled.increment();
        host.fence();
        hosts.remove(host);
        if (canHandOver) {
            ownership.release(host.lease());
        } else {
            members.endLocally(host.roomId(), ServerFrames.left(host.roomId(), LeaveReason.ROOM_CLOSED,
                    "the room stopped responding"));
            directory.remove(host.roomId(), host.gameType(), host.filterKey());
            ownership.retire(host.lease());
        }
        members.unhost(host.localMembers(), true);
        host.executor().execute(() -> host.runtime().close());
    }
}
