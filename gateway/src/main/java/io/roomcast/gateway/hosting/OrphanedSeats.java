package io.roomcast.gateway.hosting;

import io.roomcast.core.room.LeaveCause;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.Presence;
import io.roomcast.gateway.routing.MemberChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Frees the seats held for players of a node that is gone — killed, or restarted as another
 * incarnation — once it has been gone for the seat grace period, the time its players had to come
 * back. A player's own node frees its seats when its session expires; this is for the node that
 * cannot any more. Seats of nodes that are alive are never touched, also after a takeover (a
 * frozen owner that wakes up keeps its players' seats). An unseated player's node is told
 * ({@code Left}) in case it is alive after all.
 *
 * <p>Threading: {@link #check} on the timer thread (every third of a lease); the unseating runs
 * on each room's thread. The liveness it acts on is the last answer of {@link Presence}, at most
 * a maintenance pass old.
 */
final class OrphanedSeats {

    private final String nodeId;
    private final Presence presence;
    private final RoomHosts hosts;
    private final RoomLifecycle lifecycle;
    private final MemberChannel members;
    private final NodeMetrics metrics;
    private final long graceNanos;
    /** What Presence said of the nodes asked about last: those not alive are gone. */
    private record Answer(Set<String> asked, Map<String, String> alive) {}

    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    private volatile Answer answer = new Answer(Set.of(), Map.of());

    OrphanedSeats(String nodeId, Presence presence, RoomHosts hosts, RoomLifecycle lifecycle, MemberChannel members,
                  NodeMetrics metrics, long seatGraceMillis) {
        this.nodeId = nodeId;
        this.presence = presence;
        this.hosts = hosts;
        this.lifecycle = lifecycle;
        this.members = members;
        this.metrics = metrics;
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(seatGraceMillis);
    }

    /** Marks this node alive, asks which player nodes are, and has each room free what is orphaned. */
    void check() {
        presence.heartbeat();
        Set<String> nodes = Set.copyOf(watched);
        watched.clear();
        presence.alive(nodes).whenComplete((found, failure) -> {
            if (failure == null) {
                answer = new Answer(nodes, found); // a Redis that cannot answer changes nothing: no seat is freed on a guess
            }
        });
        long now = System.nanoTime();
        for (RoomHost host : hosts.all()) {
            if (!host.isFenced()) {
                host.executor().execute(() -> freeOrphans(host, now));
            }
        }
    }

    /** Room thread. */
    private void freeOrphans(RoomHost host, long now) {
        if (host.runtime().isClosed() || host.isFenced()) {
            return;
        }
        Answer known = answer;
        List<String> orphans = new ArrayList<>();
        host.playerNodes().forEach((playerId, node) -> {
            if (node == null || node.equals(nodeId)) {
                host.goneSince().remove(playerId); // this node's own sessions expire by themselves
                return;
            }
            watched.add(node);
            String incarnation = host.playerIncarnations().getOrDefault(playerId, "");
            if (!known.asked().contains(node)) {
                return; // not asked about yet: the next pass knows
            }
            String living = known.alive().get(node);
            boolean nodeAlive = living != null && (incarnation.isEmpty() || incarnation.equals(living));
            if (nodeAlive) {
                host.goneSince().remove(playerId);
            } else {
                long since = host.goneSince().computeIfAbsent(playerId, p -> now);
                if (now - since > graceNanos) {
                    orphans.add(playerId);
                }
            }
        });
        for (String playerId : orphans) {
            if (host.runtime().leave(playerId, LeaveCause.SEAT_EXPIRED)) {
                String node = host.unseated(playerId);
                host.goneSince().remove(playerId);
                metrics.orphanedSeatsFreed.increment();
                members.seatRemoved(node, host.roomId(), playerId, LeaveCause.SEAT_EXPIRED, "your node is gone");
            }
        }
        if (!orphans.isEmpty()) {
            lifecycle.seatsChanged(host);
        }
    }
}
