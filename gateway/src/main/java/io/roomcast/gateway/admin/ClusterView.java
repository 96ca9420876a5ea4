package io.roomcast.gateway.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.gateway.cluster.NodeReports;
import io.roomcast.gateway.cluster.Presence;
import io.roomcast.proto.cluster.MemberRoom;
import io.roomcast.proto.cluster.NodeReport;
import io.roomcast.proto.cluster.OwnedRoom;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admin page's data: this node's report ({@link #node}) and the cluster's, merged from every
 * node's report ({@link #gather}, {@link #merge}). The values are maps, lists, strings, numbers,
 * booleans and nulls, in the order the JSON shows them. Thread-safe (no state).
 */
public final class ClusterView {

    /** The longest {@code /admin/api/cluster} waits for Redis before it answers with this node alone. */
    static final long REDIS_WAIT_MILLIS = 3000;

    private ClusterView() {}

    /**
     * The cluster as {@code self} sees it now: the nodes Redis lists (with their heartbeats' ages),
     * the reports they wrote, and this node's own report made now. If Redis does not answer, this
     * node alone, with {@code error} saying why.
     */
    public static CompletionStage<Map<String, Object>> gather(String self, boolean cluster, long leaseMillis,
                                                             Presence presence, NodeReports reports,
                                                             Supplier<NodeReport> own) {
        NodeReport mine = own.get();
        String mode = cluster ? "cluster" : "embedded";
        return presence.heartbeatAges().toCompletableFuture()
                .thenCompose(ages -> {
                    Set<String> others = new TreeSet<>(ages.keySet());
                    others.remove(self);
                    return reports.read(others).thenApply(found -> {
                        Map<String, NodeReport> all = new HashMap<>();
                        List<String> unreadable = new ArrayList<>();
                        found.forEach((node, bytes) -> {
                            try {
                                all.put(node, NodeReport.parseFrom(bytes));
                            } catch (InvalidProtocolBufferException e) {
                                unreadable.add(node);
                            }
                        });
                        all.put(self, mine);
                        return merge(self, mode, leaseMillis, ages, all,
                                unreadable.isEmpty() ? null : "unreadable reports of " + String.join(", ", unreadable));
                    });
                })
                .orTimeout(REDIS_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .exceptionally(failure -> merge(self, mode, leaseMillis, Map.of(), Map.of(self, mine),
                        "Redis did not answer (" + describe(failure) + "): this node alone"));
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof java.util.concurrent.TimeoutException ? "no answer in " + REDIS_WAIT_MILLIS + " ms"
                : cause.getClass().getSimpleName();
    }

    /**
     * Merges the nodes' reports: a room's game, owner, epoch, seats and tick p99 come from the report
     * of the node that owns it (of two, the higher epoch's: a lease just changed hands); its players
     * per node from each node's report. A room no owner reported shows the owner and epoch its
     * members' nodes heard last, with {@code owner_reported} false.
     *
     * @param ages     node -> milliseconds since its heartbeat (Redis's clock); empty when unknown
     * @param reports  node -> its report (this node's among them)
     */
    static Map<String, Object> merge(String self, String mode, long leaseMillis, Map<String, Long> ages,
                                     Map<String, NodeReport> reports, String error) {
        Set<String> nodeIds = new TreeSet<>(ages.keySet());
        nodeIds.addAll(reports.keySet());
        nodeIds.add(self);
        boolean embedded = mode.equals("embedded");

        List<Map<String, Object>> nodes = new ArrayList<>();
        for (String id : nodeIds) {
            Long age = ages.get(id);
            NodeReport report = reports.get(id);
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", id);
            node.put("self", id.equals(self));
            node.put("alive", embedded || (age != null && age < leaseMillis));
            node.put("heartbeat_ms_ago", age);
            node.put("reported", report != null);
            if (report != null) {
                node.put("ready", report.getReady());
                node.put("draining", report.getDraining());
                node.put("connections", report.getConnections());
                node.put("sessions", report.getSessions());
                node.put("rooms_owned", report.getOwnedCount());
                node.put("players", report.getMembersList().stream().mapToLong(MemberRoom::getPlayers).sum());
                node.put("states_dropped", report.getStatesDropped());
                node.put("slow_consumer_closes", report.getSlowConsumerCloses());
            }
            nodes.add(node);
        }

        Map<String, OwnedRoom> owned = new TreeMap<>();
        Map<String, String> ownerOf = new HashMap<>();
        Map<String, Map<String, Long>> players = new TreeMap<>();
        Map<String, MemberRoom> heard = new HashMap<>();
        reports.forEach((node, report) -> {
            for (OwnedRoom room : report.getOwnedList()) {
                OwnedRoom before = owned.get(room.getRoomId());
                if (before == null || room.getEpoch() > before.getEpoch()) {
                    owned.put(room.getRoomId(), room);
                    ownerOf.put(room.getRoomId(), node);
                }
            }
            for (MemberRoom room : report.getMembersList()) {
                players.computeIfAbsent(room.getRoomId(), r -> new TreeMap<>()).put(node, (long) room.getPlayers());
                MemberRoom before = heard.get(room.getRoomId());
                if (before == null || room.getEpoch() > before.getEpoch()) {
                    heard.put(room.getRoomId(), room);
                }
            }
        });
        Set<String> roomIds = new TreeSet<>(owned.keySet());
        roomIds.addAll(players.keySet());
        List<Map<String, Object>> rooms = new ArrayList<>();
        for (String id : roomIds) {
            OwnedRoom room = owned.get(id);
            MemberRoom heardHere = heard.get(id);
            Map<String, Long> perNode = players.getOrDefault(id, Map.of());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", id);
            out.put("game", room == null ? null : room.getGame());
            out.put("owner", room != null ? ownerOf.get(id)
                    : heardHere != null && !heardHere.getOwner().isEmpty() ? heardHere.getOwner() : null);
            out.put("epoch", room != null ? room.getEpoch() : heardHere != null ? heardHere.getEpoch() : null);
            out.put("owner_reported", room != null);
            out.put("seats", room == null ? null : room.getSeats());
            out.put("max_seats", room == null ? null : room.getMaxSeats());
            out.put("tick_p99_ms", room == null || room.getTicksSampled() == 0 ? null : room.getTickP99Micros() / 1000.0);
            out.put("ticks_sampled", room == null ? 0 : room.getTicksSampled());
            out.put("players", perNode);
            out.put("players_total", perNode.values().stream().mapToLong(Long::longValue).sum());
            rooms.add(out);
        }

        Map<String, Object> view = new LinkedHashMap<>();
        view.put("node", self);
        view.put("mode", mode);
        view.put("lease_ms", leaseMillis);
        view.put("error", error);
        view.put("nodes", nodes);
        view.put("rooms", rooms);
        return view;
    }

    /** One node's report as {@code /admin/api/node} shows it. */
    public static Map<String, Object> node(NodeReport report) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", report.getNodeId());
        out.put("ready", report.getReady());
        out.put("draining", report.getDraining());
        out.put("connections", report.getConnections());
        out.put("sessions", report.getSessions());
        out.put("states_dropped", report.getStatesDropped());
        out.put("slow_consumer_closes", report.getSlowConsumerCloses());
        List<Map<String, Object>> owned = new ArrayList<>();
        for (OwnedRoom room : report.getOwnedList()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", room.getRoomId());
            r.put("game", room.getGame());
            r.put("epoch", room.getEpoch());
            r.put("seats", room.getSeats());
            r.put("max_seats", room.getMaxSeats());
            r.put("tick_p99_ms", room.getTicksSampled() == 0 ? null : room.getTickP99Micros() / 1000.0);
            r.put("ticks_sampled", room.getTicksSampled());
            owned.add(r);
        }
        owned.sort(java.util.Comparator.comparing(r -> (String) r.get("id")));
        List<Map<String, Object>> members = new ArrayList<>();
        for (MemberRoom room : report.getMembersList()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", room.getRoomId());
            r.put("players", room.getPlayers());
            r.put("owner", room.getOwner().isEmpty() ? null : room.getOwner());
            r.put("epoch", room.getEpoch());
            members.add(r);
        }
        members.sort(java.util.Comparator.comparing(r -> (String) r.get("id")));
        out.put("owned", owned);
        out.put("members", members);
        return out;
    }
}
