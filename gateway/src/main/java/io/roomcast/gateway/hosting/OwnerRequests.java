package io.roomcast.gateway.hosting;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.EmitResult;
import io.roomcast.core.runtime.JoinResult;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.routing.MemberChannel;
import io.roomcast.gateway.routing.OwnerChannel.InputOutcome;
import io.roomcast.gateway.routing.RoomRequests;
import io.roomcast.proto.cluster.EmitRequest;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;
import io.roomcast.proto.v1.ErrorCode;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The owner side of every request a room gets, from this node's sessions or another node's:
 * each runs as a task on the room's serial executor. Players' requests (join, emit, keyframe)
 * are refused when the room's queue is full; a leave never is. A seat given to a remote gateway
 * is reserved until claimed and freed when no claim comes. Thread-safe.
 */
final class OwnerRequests implements RoomRequests {

    private final RoomHosts hosts;
    private final RoomLifecycle lifecycle;
    private final Takeover takeover;
    private final MemberChannel members;
    private final ScheduledExecutorService timer;
    private final long reservationMillis;
    private final NodeMetrics metrics;

    OwnerRequests(RoomHosts hosts, RoomLifecycle lifecycle, Takeover takeover, MemberChannel members,
                  ScheduledExecutorService timer, long reservationMillis, NodeMetrics metrics) {
        this.hosts = hosts;
        this.takeover = takeover;
        this.lifecycle = lifecycle;
        this.members = members;
        this.timer = timer;
        this.reservationMillis = reservationMillis;
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<JoinReply> join(String fromNode, JoinRequest request, boolean reserve) {
        return hosts.whenHosted(request.getRoomId()).thenCompose(host -> {
            if (host == null) {
                return CompletableFuture.completedFuture(failed(request, ErrorCode.ROOM_NOT_FOUND, "no room " + request.getRoomId()));
            }
            CompletableFuture<JoinReply> reply = new CompletableFuture<>();
            if (!host.executor().tryExecute(() -> joinOnRoomThread(host, fromNode, request, reserve).thenAccept(reply::complete))) {
                metrics.roomRequestsRefused.increment();
                reply.complete(failed(request, ErrorCode.RATE_LIMITED, "room " + request.getRoomId() + " is busy: try again"));
            }
            return reply;
        });
    }

    /** The answer, once the seat it gives is saved (docs/architecture.md, "A seat is saved before anyone hears of it"). */
    private CompletionStage<JoinReply> joinOnRoomThread(RoomHost host, String fromNode, JoinRequest request, boolean reserve) {
        RoomRuntime<?> runtime = host.runtime();
        String playerId = request.getPlayerId();
        if (host.isFenced() || runtime.isClosed()) {
            return CompletableFuture.completedStage(failed(request, ErrorCode.ROOM_NOT_FOUND, "room " + request.getRoomId() + " closed"));
        }
        if (!request.getGameType().isEmpty() && !request.getGameType().equals(host.gameType())) {
            return CompletableFuture.completedStage(failed(request, ErrorCode.JOIN_REJECTED, "room " + request.getRoomId() + " is a "
                    + host.gameType() + " room, not " + request.getGameType()));
        }
        // A join from a player who holds a seat here already is the same player whose gateway no
        // longer counts it in the room (its leave was lost with a former owner): it gets that seat back.
        if (request.getRejoin() || runtime.isSeated(playerId)) {
            RoomRuntime.Rejoin rejoin = runtime.rejoin(playerId, request.getHasCursor() ? request.getEventsAfter() : RoomRuntime.NO_CURSOR);
            if (rejoin == null) {
                return CompletableFuture.completedStage(failed(request, ErrorCode.NOT_IN_ROOM, "the seat was given up"));
            }
            host.seatedFrom(playerId, fromNode, request.getGatewayIncarnation());
            JoinReply.Builder reply = ok(request, rejoin.joinedFrame());
            rejoin.events().forEach(e -> reply.addEvents(UnsafeByteOperations.unsafeWrap(e)));
            JoinReply answer = reply.build();
            return lifecycle.seatMoved(host).thenApply(saved -> answer);
        }
        return switch (runtime.join(playerId, request.getPlayerName())) {
            case JoinResult.Seated seated -> {
                host.seatedFrom(playerId, fromNode, request.getGatewayIncarnation());
                if (reserve) {
                    host.reserve(playerId, timer.schedule(() -> host.executor().execute(() -> unclaimed(host, playerId)),
                            reservationMillis, TimeUnit.MILLISECONDS));
                }
                JoinReply answer = ok(request, seated.joinedFrame()).build();
                yield lifecycle.seatsChangedAndSaved(host).thenApply(saved -> answer);
            }
            case JoinResult.Refused refused -> CompletableFuture.completedStage(failed(request, refused.code(), refused.message()));
        };
    }

    /** Room thread: a reserved seat whose gateway never claimed it. */
    private void unclaimed(RoomHost host, String playerId) {
        if (host.isReserved(playerId) && host.runtime().leave(playerId, LeaveCause.SEAT_EXPIRED)) {
            host.unseated(playerId);
            metrics.unclaimedSeatsFreed.increment();
            lifecycle.seatsChanged(host);
        }
    }

    @Override
    public void claim(String roomId, String playerId) {
        RoomHost host = hosts.get(roomId);
        if (host != null) {
            host.executor().execute(() -> host.claimed(playerId));
        }
    }

    @Override
    public void leave(String fromNode, String roomId, String playerId, LeaveCause cause) {
        RoomHost host = hosts.get(roomId);
        if (host == null) {
            return;
        }
        host.executor().execute(() -> {
            String holder = host.playerNodes().get(playerId);
            if (holder != null && !holder.equals(fromNode)) {
                return; // the player resumed on another node since: this node's copy of the session gives nothing up
            }
            if (!host.runtime().isClosed() && host.runtime().leave(playerId, cause)) {
                host.unseated(playerId);
                lifecycle.seatsChanged(host);
            }
        });
    }

    @Override
    public void emit(String fromNode, EmitRequest request) {
        RoomHost host = hosts.get(request.getRoomId());
        if (host == null) {
            answer(fromNode, request, EmitResult.failed(ErrorCode.ROOM_NOT_FOUND, "no room " + request.getRoomId()));
        } else if (!host.executor().tryExecute(() -> answer(fromNode, request, host.runtime().emit(request.getPlayerId(),
                request.getName(), request.getPayload(), request.getToPlayer())))) {
            metrics.roomRequestsRefused.increment();
            answer(fromNode, request, EmitResult.failed(ErrorCode.RATE_LIMITED, "room " + request.getRoomId() + " is busy"));
        }
    }

    private void answer(String fromNode, EmitRequest request, EmitResult result) {
        if (!result.ok() || request.getAckId() != 0) {
            members.emitAnswered(fromNode, request.getPlayerId(), request.getAckId(), request.getRequestId(), result);
        }
    }

    @Override
    public void keyframe(String roomId, String playerId) {
        RoomHost host = hosts.get(roomId);
        if (host != null && !host.executor().tryExecute(() -> host.runtime().requestKeyframe(playerId))) {
            metrics.roomRequestsRefused.increment(); // the client asks again when its gap persists
        }
    }

    @Override
    public InputOutcome input(String roomId, String playerId, int seq, ByteString payload) {
        RoomHost host = hosts.get(roomId);
        if (host == null) {
            return InputOutcome.ROOM_GONE;
        }
        return host.runtime().offerInput(playerId, seq, payload) ? InputOutcome.QUEUED : InputOutcome.QUEUE_FULL;
    }

    @Override
    public void claimAbandoned(String roomId, String formerOwner, boolean ownerSaysNotHere, long eventsSeen) {
        takeover.claimAbandoned(roomId, formerOwner, ownerSaysNotHere, eventsSeen);
    }

    @Override
    public CompletionStage<List<byte[]>> eventsAfter(String roomId, long offset) {
        RoomHost host = hosts.get(roomId);
        if (host == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        CompletableFuture<List<byte[]>> events = new CompletableFuture<>();
        if (!host.executor().tryExecute(() -> events.complete(host.isFenced() ? List.of() : host.runtime().eventsAfter(offset)))) {
            metrics.roomRequestsRefused.increment();
            events.complete(List.of());
        }
        return events;
    }

    private static JoinReply.Builder ok(JoinRequest request, byte[] joinedFrame) {
        return JoinReply.newBuilder().setCorrelation(request.getCorrelation()).setRoomId(request.getRoomId())
                .setPlayerId(request.getPlayerId()).setRejoin(request.getRejoin()).setOk(true)
                .setJoinedFrame(UnsafeByteOperations.unsafeWrap(joinedFrame));
    }

    private static JoinReply failed(JoinRequest request, ErrorCode code, String message) {
        return JoinReply.newBuilder().setCorrelation(request.getCorrelation()).setRoomId(request.getRoomId())
                .setPlayerId(request.getPlayerId()).setRejoin(request.getRejoin()).setOk(false)
                .setErrorCode(code.getNumber()).setMessage(message).build();
    }
}
