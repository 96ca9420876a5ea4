package io.roomcast.gateway.routing;

import com.google.protobuf.UnsafeByteOperations;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.EmitResult;
import io.roomcast.gateway.cluster.MessageBus;
import io.roomcast.proto.cluster.EmitReply;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.PlayerFrame;
import io.roomcast.proto.cluster.SeatRemoved;
import io.roomcast.proto.v1.LeaveReason;

/** {@link MemberChannel}: this node's own players get direct calls, others' a node message. Thread-safe. */
public final class MemberChannels implements MemberChannel {

    private final String nodeId;
    private final MessageBus bus;
    private volatile MemberNotices local;

    public MemberChannels(String nodeId, MessageBus bus) {
        this.nodeId = nodeId;
        this.bus = bus;
    }

    /** This node's gateway side, built after the owner side that uses this channel; set once before the node starts. */
    public void bind(MemberNotices local) {
        this.local = local;
    }

    @Override
    public void playerFrame(String node, String roomId, long epoch, String playerId, byte[] serverFrame) {
        if (isLocal(node)) {
            local.playerFrame(roomId, epoch, playerId, serverFrame);
        } else {
            send(node, NodeMessage.newBuilder().setPlayerFrame(PlayerFrame.newBuilder().setRoomId(roomId).setEpoch(epoch)
                    .setPlayerId(playerId).setFrame(UnsafeByteOperations.unsafeWrap(serverFrame))));
        }
    }

    @Override
    public void seatRemoved(String node, String roomId, String playerId, LeaveCause cause, String detail) {
        if (isLocal(node)) {
            local.seatRemoved(roomId, playerId, reason(cause), detail);
        } else {
            send(node, NodeMessage.newBuilder().setSeatRemoved(SeatRemoved.newBuilder().setRoomId(roomId)
                    .setPlayerId(playerId).setKicked(cause == LeaveCause.KICKED).setDetail(detail)));
        }
    }

    @Override
    public void emitAnswered(String node, String playerId, int ackId, int requestId, EmitResult result) {
        if (isLocal(node)) {
            local.emitAnswered(playerId, ackId, requestId, result);
        } else {
            send(node, NodeMessage.newBuilder().setEmitReply(EmitReply.newBuilder().setPlayerId(playerId)
                    .setAckId(ackId).setRequestId(requestId).setOk(result.ok())
                    .setErrorCode(result.error().getNumber()).setMessage(result.message())
                    .setEventOffset(result.eventOffset())));
        }
    }

    static LeaveReason reason(LeaveCause cause) {
        return cause == LeaveCause.KICKED ? LeaveReason.KICKED : LeaveReason.ROOM_CLOSED;
    }

    private boolean isLocal(String node) {
        return node == null || node.equals(nodeId);
    }

    private void send(String node, NodeMessage.Builder message) {
        bus.publishNode(node, message.setFromNode(nodeId).build());
    }
}
