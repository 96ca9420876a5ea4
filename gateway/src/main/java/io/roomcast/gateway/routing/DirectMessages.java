package io.roomcast.gateway.routing;

import io.roomcast.gateway.cluster.Presence;
import io.roomcast.gateway.cluster.SessionStore;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A direct message to a player connected to another node: the alive nodes holding a session of
 * the player (their session hashes in Redis say so) get the frame through their inbox. A player
 * on no alive node is not found. Thread-safe; asynchronous.
 */
final class DirectMessages {

    private final String nodeId;
    private final Presence presence;
    private final SessionStore sessions;
    private final MemberChannel members;

    DirectMessages(String nodeId, Presence presence, SessionStore sessions, MemberChannel members) {
        this.nodeId = nodeId;
        this.presence = presence;
        this.sessions = sessions;
        this.members = members;
    }

    /** Sends {@code serverFrame} to {@code playerId} on the other nodes; completes with whether a node holds the player. */
    CompletionStage<Boolean> send(String playerId, byte[] serverFrame) {
        return presence.aliveNodes()
                .thenCompose(nodes -> sessions.nodesOf(playerId, nodes.stream().filter(n -> !n.equals(nodeId)).toList()))
                .thenApply(holders -> {
                    deliver(holders, playerId, serverFrame);
                    return !holders.isEmpty();
                });
    }

    private void deliver(List<String> holders, String playerId, byte[] serverFrame) {
        for (String node : holders) {
            members.playerFrame(node, "", 0, playerId, serverFrame); // no room: nothing to fence
        }
    }
}
