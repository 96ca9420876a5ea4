package io.roomcast.gateway.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Which nodes are alive: each node marks itself alive every third of a lease with its
 * <em>incarnation</em> (a random id of the process), and the mark lapses a lease after the last
 * one. A seat is held for a player by a node's incarnation; a node restarted under the same id is
 * a new incarnation, whose predecessor's players are gone. Thread-safe; asynchronous.
 */
public interface Presence {

    /** This process's incarnation. */
    String incarnation();

    /** Marks this node alive for another lease. */
    CompletionStage<Void> heartbeat();

    /**
     * Runs {@code resave} when a heartbeat finds the store lost this node's session records (a
     * Redis that came back empty): the node writes them again, so its players can still resume.
     */
    default void onSessionRecordsLost(Runnable resave) {
    }

    /** Every node alive now (this one included). */
    CompletionStage<List<String>> aliveNodes();

    /**
     * Every node heard from lately (alive or not: gone nodes stay listed for ten leases), with the
     * milliseconds since its last heartbeat on the store's clock (no two machines' clocks compared).
     */
    CompletionStage<Map<String, Long>> heartbeatAges();

    /** Of {@code nodeIds}, those marked alive now, with the incarnation that marked them. */
    CompletionStage<Map<String, String>> alive(Collection<String> nodeIds);
}
