package io.roomcast.gateway.routing;

import com.google.protobuf.ByteString;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.proto.cluster.EmitRequest;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The owner is this node: every request is a direct call into its owner side — no node message,
 * no correlation, no timer. A join's answer arrives on the room's thread, so what the gateway
 * does with it (deliver the Joined, or give the seat back) happens before the room's next task.
 */
final class LocalOwner implements OwnerChannel {

    private final String nodeId;
    private final RoomRequests owner;

    LocalOwner(String nodeId, RoomRequests owner) {
        this.nodeId = nodeId;
        this.owner = owner;
    }

    @Override
    public CompletionStage<JoinReply> join(JoinRequest request) {
        return owner.join(nodeId, request, false);
    }

    @Override
    public void claim(String roomId, String playerId) {
        // A local join's seat is never reserved: its answer is never lost on the way, and it comes within the
        // save of the seat (bounded by Redis's command timeout), well inside this gateway's join timeout.
    }

    @Override
    public void leave(String roomId, String playerId, boolean seatExpired) {
        owner.leave(nodeId, roomId, playerId, seatExpired ? LeaveCause.SEAT_EXPIRED : LeaveCause.REQUESTED);
    }

    @Override
    public void emit(EmitRequest request) {
        owner.emit(nodeId, request);
    }

    @Override
    public void keyframe(String roomId, String playerId) {
        owner.keyframe(roomId, playerId);
    }

    @Override
    public InputOutcome input(String roomId, String playerId, int seq, ByteString payload) {
        return owner.input(roomId, playerId, seq, payload);
    }

    @Override
    public CompletionStage<List<byte[]>> eventsAfter(String roomId, long offset) {
        return owner.eventsAfter(roomId, offset);
    }
}
