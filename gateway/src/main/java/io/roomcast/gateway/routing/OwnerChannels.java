package io.roomcast.gateway.routing;

import io.roomcast.core.loop.Clock;
import io.roomcast.core.loop.TickGrid;
import com.google.protobuf.ByteString;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.proto.cluster.EventsReply;
import io.roomcast.proto.cluster.EventsRequest;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;
import io.roomcast.proto.cluster.LeaveRequest;
import io.roomcast.proto.cluster.NodeMessage;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Picks the channel to a room's owner ({@link #to}) and keeps what remote joins wait for: a
 * correlation id and a timer each. A reply after its timer fired is not dropped: a seat it
 * granted is given back at once (the owner would free it anyway when no claim comes). Thread-safe.
 */
public final class OwnerChannels {

    private record PendingJoin(CompletableFuture<JoinReply> reply, ScheduledFuture<?> timeout) {}

    private record PendingEvents(CompletableFuture<List<byte[]>> reply, ScheduledFuture<?> timeout) {}

    private final String nodeId;
    private final MessageBus bus;
    private final ScheduledExecutorService timer;
    private final long joinTimeoutMillis;
    private final long rejoinTimeoutMillis;
    private final LocalOwner local;
    private final RoomRequests localOwner;
    private final InputBatcher inputs;
    private final ConcurrentHashMap<String, RemoteOwner> remotes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, PendingJoin> pendingJoins = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, PendingEvents> pendingEvents = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();

    /**
     * @param tickGridOfRoom   where a room's ticks fall as this node knows it, null while unknown
     * @param inputLeadMicros  how long before a tick of another node's room its inputs are sent
     * @param inputWindowMicros how long inputs for a room whose tick period is unknown are gathered
     */
    public OwnerChannels(String nodeId, RoomRequests localOwner, MessageBus bus, ScheduledExecutorService timer,
                         Clock clock, Function<String, TickGrid> tickGridOfRoom,
                         long joinTimeoutMillis, long rejoinTimeoutMillis, long inputLeadMicros, long inputWindowMicros) {
        this.nodeId = nodeId;
        this.bus = bus;
        this.timer = timer;
        this.joinTimeoutMillis = joinTimeoutMillis;
        this.rejoinTimeoutMillis = rejoinTimeoutMillis;
        this.local = new LocalOwner(nodeId, localOwner);
        this.localOwner = localOwner;
        this.inputs = new InputBatcher(nodeId, bus, timer, clock, tickGridOfRoom, inputLeadMicros, inputWindowMicros);
    }

    /** The channel to {@code ownerNode}: direct calls when it is this node. */
    public OwnerChannel to(String ownerNode) {
        return nodeId.equals(ownerNode) ? local : remotes.computeIfAbsent(ownerNode, node -> new RemoteOwner(node, this, inputs));
    }

    /** See {@link RoomRequests#claimAbandoned}: this node's owner side takes the room if nobody holds it. */
    void claimAbandoned(String roomId, String formerOwner, boolean ownerSaysNotHere, long eventsSeen) {
        if (!nodeId.equals(formerOwner)) {
            localOwner.claimAbandoned(roomId, formerOwner, ownerSaysNotHere, eventsSeen);
        }
    }

    /** Remote joins waiting for their reply (for tests and /healthz). */
    public int joinsInFlight() {
        return pendingJoins.size();
    }

    CompletionStage<JoinReply> awaitReply(String ownerNode, JoinRequest request) {
        long correlation = correlations.incrementAndGet();
        CompletableFuture<JoinReply> reply = new CompletableFuture<>();
        // A rejoin (a resume) asks again soon: it changes nothing at the owner, and the owner it
        // asks may have died with the player's node, the room moving to another node meanwhile.
        long millis = request.getRejoin() ? rejoinTimeoutMillis : joinTimeoutMillis;
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            if (pendingJoins.remove(correlation) != null) {
                reply.completeExceptionally(new OwnerChannel.JoinTimedOut(ownerNode, millis));
            }
        }, millis, TimeUnit.MILLISECONDS);
        pendingJoins.put(correlation, new PendingJoin(reply, timeout));
        send(ownerNode, NodeMessage.newBuilder().setJoinRequest(request.toBuilder().setCorrelation(correlation)));
        return reply;
    }

    /** Bus thread: an owner answered a join of one of this node's sessions. */
    void onJoinReply(String fromNode, JoinReply reply) {
        PendingJoin pending = pendingJoins.remove(reply.getCorrelation());
        if (pending != null) {
            pending.timeout().cancel(false);
            pending.reply().complete(reply);
        } else if (reply.getOk() && !reply.getRejoin()) {
            // Too late: the client was told the join failed. Give the seat back.
            send(fromNode, NodeMessage.newBuilder().setLeaveRequest(LeaveRequest.newBuilder()
                    .setRoomId(reply.getRoomId()).setPlayerId(reply.getPlayerId()).setSeatExpired(true)));
        }
    }

    /** Asks a remote owner for a room's events after {@code offset}; times out like a rejoin (the fan-out asks again). */
    CompletionStage<List<byte[]>> awaitEvents(String ownerNode, String roomId, long offset) {
        long correlation = correlations.incrementAndGet();
        CompletableFuture<List<byte[]>> reply = new CompletableFuture<>();
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            if (pendingEvents.remove(correlation) != null) {
                reply.completeExceptionally(new OwnerChannel.JoinTimedOut(ownerNode, rejoinTimeoutMillis));
            }
        }, rejoinTimeoutMillis, TimeUnit.MILLISECONDS);
        pendingEvents.put(correlation, new PendingEvents(reply, timeout));
        send(ownerNode, NodeMessage.newBuilder().setEventsRequest(
                EventsRequest.newBuilder().setCorrelation(correlation).setRoomId(roomId).setAfter(offset)));
        return reply;
    }

    /** Bus thread: an owner answered a fan-out's request for missed events. */
    void onEventsReply(EventsReply reply) {
        PendingEvents pending = pendingEvents.remove(reply.getCorrelation());
        if (pending != null) {
            pending.timeout().cancel(false);
            pending.reply().complete(reply.getEventsList().stream().map(ByteString::toByteArray).toList());
        }
    }

    void send(String node, NodeMessage.Builder message) {
        bus.publishNode(node, message.setFromNode(nodeId).build());
    }
}
