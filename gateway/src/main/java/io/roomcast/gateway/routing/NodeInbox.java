package io.roomcast.gateway.routing;

import com.google.protobuf.UnsafeByteOperations;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.EmitResult;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.proto.cluster.EmitReply;
import io.roomcast.proto.cluster.EventsReply;
import io.roomcast.proto.cluster.EventsRequest;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;
import io.roomcast.proto.cluster.LeaveRequest;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.PlayerFrame;
import io.roomcast.proto.cluster.RoomInput;
import io.roomcast.proto.cluster.SeatRemoved;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.LeaveReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's inbox: requests from other nodes' sessions go to the owner side
 * ({@link RoomRequests}), answers for this node's sessions to {@link OwnerChannels} (join
 * replies) and {@link MemberNotices} (the rest). Runs on the bus's thread. Thread-safe.
 */
public final class NodeInbox {

    private static final Logger log = LoggerFactory.getLogger(NodeInbox.class);

    private final String nodeId;
    private final MessageBus bus;
    private final RoomRequests owner;
    private final OwnerChannels owners;
    private final MemberNotices members;
    private final NodeMetrics metrics;
    private MessageBus.Subscription subscription;

    public NodeInbox(String nodeId, MessageBus bus, RoomRequests owner, OwnerChannels owners, MemberNotices members,
                     NodeMetrics metrics) {
        this.nodeId = nodeId;
        this.bus = bus;
        this.owner = owner;
        this.owners = owners;
        this.members = members;
        this.metrics = metrics;
    }

    public void open() {
        subscription = bus.subscribeNode(nodeId, this::onMessage);
    }

    public void close() {
        if (subscription != null) {
            subscription.unsubscribe();
        }
    }

    private void onMessage(NodeMessage message) {
        String from = message.getFromNode();
        switch (message.getBodyCase()) {
            case JOIN_REQUEST -> join(from, message.getJoinRequest());
            case SEAT_CLAIM -> owner.claim(message.getSeatClaim().getRoomId(), message.getSeatClaim().getPlayerId());
            case INPUTS -> {
                for (RoomInput input : message.getInputs().getInputsList()) {
                    countLost(owner.input(input.getRoomId(), input.getPlayerId(), input.getSeq(), input.getPayload()));
                }
            }
            case EMIT_REQUEST -> owner.emit(from, message.getEmitRequest());
            case LEAVE_REQUEST -> {
                LeaveRequest leave = message.getLeaveRequest();
                owner.leave(from, leave.getRoomId(), leave.getPlayerId(),
                        leave.getSeatExpired() ? LeaveCause.SEAT_EXPIRED : LeaveCause.REQUESTED);
            }
            case KEYFRAME_REQUEST -> owner.keyframe(message.getKeyframeRequest().getRoomId(), message.getKeyframeRequest().getPlayerId());
            case JOIN_REPLY -> owners.onJoinReply(from, message.getJoinReply());
            case EVENTS_REQUEST -> {
                EventsRequest request = message.getEventsRequest();
                owner.eventsAfter(request.getRoomId(), request.getAfter()).thenAccept(events -> {
                    EventsReply.Builder reply = EventsReply.newBuilder().setCorrelation(request.getCorrelation())
                            .setRoomId(request.getRoomId());
                    events.forEach(e -> reply.addEvents(UnsafeByteOperations.unsafeWrap(e)));
                    owners.send(from, NodeMessage.newBuilder().setEventsReply(reply));
                });
            }
            case EVENTS_REPLY -> owners.onEventsReply(message.getEventsReply());
            case EMIT_REPLY -> {
                EmitReply reply = message.getEmitReply();
                ErrorCode code = ErrorCode.forNumber(reply.getErrorCode());
                members.emitAnswered(reply.getPlayerId(), reply.getAckId(), reply.getRequestId(), reply.getOk()
                        ? EmitResult.ok(reply.getEventOffset())
                        : EmitResult.failed(code == null ? ErrorCode.INTERNAL : code, reply.getMessage()));
            }
            case PLAYER_FRAME -> {
                PlayerFrame frame = message.getPlayerFrame();
                members.playerFrame(frame.getRoomId(), frame.getEpoch(), frame.getPlayerId(), frame.getFrame().toByteArray());
            }
            case SEAT_REMOVED -> {
                SeatRemoved removed = message.getSeatRemoved();
                members.seatRemoved(removed.getRoomId(), removed.getPlayerId(),
                        removed.getKicked() ? LeaveReason.KICKED : LeaveReason.ROOM_CLOSED, removed.getDetail());
            }
            case BODY_NOT_SET -> log.debug("a node message this node does not know, from {}", from);
        }
    }

    private void join(String from, JoinRequest request) {
        owner.join(from, request, true).whenComplete((reply, failure) -> {
            JoinReply answer = reply != null ? reply : JoinReply.newBuilder().setCorrelation(request.getCorrelation())
                    .setRoomId(request.getRoomId()).setPlayerId(request.getPlayerId()).setRejoin(request.getRejoin())
                    .setOk(false).setErrorCode(ErrorCode.INTERNAL_VALUE).setMessage("the join failed on the owner").build();
            bus.publishNode(from, NodeMessage.newBuilder().setFromNode(nodeId).setJoinReply(answer).build());
        });
    }

    private void countLost(OwnerChannel.InputOutcome outcome) {
        switch (outcome) {
            case QUEUED -> { }
            case ROOM_GONE -> metrics.inputsForGoneRooms.increment();
            case QUEUE_FULL -> metrics.inputsQueueFull.increment();
        }
    }
}
