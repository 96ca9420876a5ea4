package io.roomcast.gateway.routing;

import com.google.protobuf.ByteString;
import io.roomcast.proto.cluster.EmitRequest;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;
import io.roomcast.proto.cluster.KeyframeRequest;
import io.roomcast.proto.cluster.LeaveRequest;
import io.roomcast.proto.cluster.NodeMessage;
import io.roomcast.proto.cluster.RoomInput;
import io.roomcast.proto.cluster.SeatClaim;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The owner is another node: requests are node messages to its inbox; a join waits for its
 * reply under a correlation id and a timeout ({@link OwnerChannels} keeps them); inputs are
 * batched per owner ({@link InputBatcher}).
 */
final class RemoteOwner implements OwnerChannel {

    private final String ownerNode;
    private final OwnerChannels channels;
    private final InputBatcher inputs;

    RemoteOwner(String ownerNode, OwnerChannels channels, InputBatcher inputs) {
        this.ownerNode = ownerNode;
        this.channels = channels;
        this.inputs = inputs;
    }

    @Override
    public CompletionStage<JoinReply> join(JoinRequest request) {
        return channels.awaitReply(ownerNode, request);
    }

    @Override
    public void claim(String roomId, String playerId) {
        channels.send(ownerNode, NodeMessage.newBuilder().setSeatClaim(
                SeatClaim.newBuilder().setRoomId(roomId).setPlayerId(playerId)));
    }

    @Override
    public void leave(String roomId, String playerId, boolean seatExpired) {
        channels.send(ownerNode, NodeMessage.newBuilder().setLeaveRequest(
                LeaveRequest.newBuilder().setRoomId(roomId).setPlayerId(playerId).setSeatExpired(seatExpired)));
    }

    @Override
    public void emit(EmitRequest request) {
        channels.send(ownerNode, NodeMessage.newBuilder().setEmitRequest(request));
    }

    @Override
    public void keyframe(String roomId, String playerId) {
        channels.send(ownerNode, NodeMessage.newBuilder().setKeyframeRequest(
                KeyframeRequest.newBuilder().setRoomId(roomId).setPlayerId(playerId)));
    }

    @Override
    public InputOutcome input(String roomId, String playerId, int seq, ByteString payload) {
        inputs.add(ownerNode, RoomInput.newBuilder().setRoomId(roomId).setPlayerId(playerId)
                .setSeq(seq).setPayload(payload).build());
        return InputOutcome.QUEUED;
    }

    @Override
    public CompletionStage<List<byte[]>> eventsAfter(String roomId, long offset) {
        return channels.awaitEvents(ownerNode, roomId, offset);
    }
}
