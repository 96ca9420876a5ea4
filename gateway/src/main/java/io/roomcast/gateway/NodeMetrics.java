package io.roomcast.gateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what a node did and what went wrong: every failure is counted, not only logged.
 * Thread-safe; served by {@code /healthz} and {@code /metrics}.
 */
public final class NodeMetrics {

    public final LongAdder connectionsOpened = new LongAdder();
    public final LongAdder framesIn = new LongAdder();
    public final LongAdder framesOut = new LongAdder();
    public final LongAdder badFrames = new LongAdder();
    public final LongAdder textFrames = new LongAdder();
    public final LongAdder oversizeFrames = new LongAdder();
    public final LongAdder rateLimited = new LongAdder();
    public final LongAdder handshakeTimeouts = new LongAdder();
    public final LongAdder statesDropped = new LongAdder();
    public final LongAdder slowConsumerCloses = new LongAdder();
    public final LongAdder sendErrors = new LongAdder();
    public final LongAdder roomTaskErrors = new LongAdder();
    public final LongAdder staleEpochDropped = new LongAdder();
    public final LongAdder roomsCreated = new LongAdder();
    public final LongAdder roomsClosed = new LongAdder();
    public final LongAdder inputsQueueFull = new LongAdder();
    /** Inputs that reached this node for a room it no longer hosts (it closed, or moved to another node). */
    public final LongAdder inputsForGoneRooms = new LongAdder();
    /** Requests (joins, emits) refused because the room's task queue was full. */
    public final LongAdder roomRequestsRefused = new LongAdder();
    /** Rooms given up because a task on their thread ran past --room-stall-ms. */
    public final LongAdder roomsStalled = new LongAdder();
    /** Rooms closed by the empty-room backstop (no seat taken for --empty-room-ms). */
    public final LongAdder emptyRoomsClosed = new LongAdder();
    /** Seats reserved for a remote join and freed because their gateway never claimed them. */
    public final LongAdder unclaimedSeatsFreed = new LongAdder();
    /** Takeovers that found no usable snapshot: the room was closed, its members told ROOM_LOST. */
    public final LongAdder roomsLost = new LongAdder();
    /** Seats freed because the node holding their player was gone for the seat grace (killed, restarted). */
    public final LongAdder orphanedSeatsFreed = new LongAdder();
    /** Sessions resumed on this node from another node's record (its node died or drained). */
    public final LongAdder resumedFromAnotherNode = new LongAdder();
    /** Leases Redis had lost (it restarted empty) that their owner claimed again. */
    public final LongAdder leasesReclaimed = new LongAdder();
    /** Remote joins not answered within --join-timeout-ms. */
    public final LongAdder joinTimeouts = new LongAdder();
    public final LongAdder roomsFenced = new LongAdder();
    public final LongAdder roomsTakenOver = new LongAdder();
    /** Sockets closed for breaking RFC 6455 (1002: framing, masking, close codes; 1007: a close reason not UTF-8). */
    public final LongAdder protocolViolations = new LongAdder();
    /** Connections answered 503 at accept: the node held --max-connections. */
    public final LongAdder connectionsRefusedNode = new LongAdder();
    /** Connections answered 503 at accept: their address held --max-connections-per-ip. */
    public final LongAdder connectionsRefusedAddress = new LongAdder();
    /** Connections closed for sending no whole HTTP request within --request-timeout-ms of connecting. */
    public final LongAdder requestTimeouts = new LongAdder();
    /** WebSocket upgrades answered 429: over --max-handshakes-per-ip-per-second. */
    public final LongAdder handshakesRefusedRate = new LongAdder();
    /** WebSocket upgrades answered 403: an Origin not allowed (--allowed-origins). */
    public final LongAdder originsRefused = new LongAdder();
    /** Hellos refused by the authenticator (Error UNAUTHORIZED, close 4004). */
    public final LongAdder authRefused = new LongAdder();

    /** Name -> value, in a stable order, for the HTTP endpoints. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("connections_opened", connectionsOpened.sum());
        out.put("frames_in", framesIn.sum());
        out.put("frames_out", framesOut.sum());
        out.put("bad_frames", badFrames.sum());
        out.put("text_frames", textFrames.sum());
        out.put("oversize_frames", oversizeFrames.sum());
        out.put("rate_limited", rateLimited.sum());
        out.put("handshake_timeouts", handshakeTimeouts.sum());
        out.put("states_dropped", statesDropped.sum());
        out.put("slow_consumer_closes", slowConsumerCloses.sum());
        out.put("send_errors", sendErrors.sum());
        out.put("room_task_errors", roomTaskErrors.sum());
        out.put("stale_epoch_dropped", staleEpochDropped.sum());
        out.put("rooms_created", roomsCreated.sum());
        out.put("rooms_closed", roomsClosed.sum());
        out.put("inputs_queue_full", inputsQueueFull.sum());
        out.put("inputs_for_gone_rooms", inputsForGoneRooms.sum());
        out.put("room_requests_refused", roomRequestsRefused.sum());
        out.put("rooms_stalled", roomsStalled.sum());
        out.put("empty_rooms_closed", emptyRoomsClosed.sum());
        out.put("unclaimed_seats_freed", unclaimedSeatsFreed.sum());
        out.put("rooms_lost", roomsLost.sum());
        out.put("join_timeouts", joinTimeouts.sum());
        out.put("leases_reclaimed", leasesReclaimed.sum());
        out.put("orphaned_seats_freed", orphanedSeatsFreed.sum());
        out.put("resumed_from_another_node", resumedFromAnotherNode.sum());
        out.put("rooms_fenced", roomsFenced.sum());
        out.put("rooms_taken_over", roomsTakenOver.sum());
        out.put("protocol_violations", protocolViolations.sum());
        out.put("connections_refused_node", connectionsRefusedNode.sum());
        out.put("connections_refused_address", connectionsRefusedAddress.sum());
        out.put("request_timeouts", requestTimeouts.sum());
        out.put("handshakes_refused_rate", handshakesRefusedRate.sum());
        out.put("origins_refused", originsRefused.sum());
        out.put("auth_refused", authRefused.sum());
        return out;
    }
}
