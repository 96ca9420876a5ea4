package io.roomcast.gateway.cluster.redis;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Every key and channel name Roomcast uses in Redis. Each carries a hash tag ({@code {...}}):
 * all keys and the channel of one room hash to one slot, so on a Redis Cluster a room's lease,
 * epoch, entry, snapshot and state channel live on one shard and its traffic never crosses
 * shards; a node's inbox and a game's open-room index are tagged the same way.
 */
public final class RedisKeys {

    /** A room's keys other than its lease live this many leases past the owner's last renewal. */
    public static final int KEEP_LEASES = 10;

    private RedisKeys() {}

    /** How long a room's epoch, directory entry and snapshot outlive the owner's last renewal. */
    public static long keepMillis(long leaseMillis) {
        return KEEP_LEASES * leaseMillis;
    }

    public static String lease(String roomId) {
        return room(roomId) + ":lease";
    }

    public static String epoch(String roomId) {
        return room(roomId) + ":epoch";
    }

    public static String info(String roomId) {
        return room(roomId) + ":info";
    }

    public static String snapshot(String roomId) {
        return room(roomId) + ":snapshot";
    }

    /** A room's recent events (a stream), for the node that takes the room over. */
    public static String events(String roomId) {
        return room(roomId) + ":events";
    }

    public static String roomChannel(String roomId) {
        return room(roomId) + ":frames";
    }

    public static String nodeInbox(String nodeId) {
        return "rc:{node:" + nodeId + "}:inbox";
    }

    /** The cluster's nodes, scored by their last heartbeat (one key: a small set, on one shard). */
    public static String nodes() {
        return "rc:nodes";
    }

    /** A node's heartbeat: its incarnation, for one lease. */
    public static String nodeAlive(String nodeId) {
        return "rc:{node:" + nodeId + "}:alive";
    }

    /** A node's report for the admin page (a NodeReport, rewritten every second with a short TTL). */
    public static String nodeReport(String nodeId) {
        return "rc:{node:" + nodeId + "}:report";
    }

    /** A node's sessions that can be resumed anywhere: a hash, a field per session (see RedisSessionStore). */
    public static String nodeSessions(String nodeId) {
        return "rc:{node:" + nodeId + "}:sessions";
    }

    /**
     * Present while the node's session hash holds every record of its sessions: a Redis that came
     * back empty lost it, and the node then writes them all again (a record written meanwhile
     * would make the hash itself look kept).
     */
    public static String nodeSessionsKept(String nodeId) {
        return "rc:{node:" + nodeId + "}:sessions:kept";
    }

    /** Sorted set of a game's rooms with a free seat, scored by free seats (a game that filters by nothing). */
    public static String openRooms(String gameType) {
        return openRooms(gameType, "");
    }

    /**
     * Sorted set of a game's rooms with a free seat created under {@code filterKey}, scored by
     * free seats: {@code rc:{game:<g>}:open} for the empty filter key, else that followed by
     * {@code :} and the filter key's UTF-8 in base64url (no padding), so any value makes a safe
     * key name and every filter of a game lives on the game's slot.
     */
    public static String openRooms(String gameType, String filterKey) {
        String open = "rc:{game:" + gameType + "}:open";
        return filterKey.isEmpty() ? open
                : open + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(filterKey.getBytes(StandardCharsets.UTF_8));
    }

    private static String room(String roomId) {
        return "rc:{room:" + roomId + "}";
    }
}
