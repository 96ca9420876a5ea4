package io.roomcast.gateway.routing;

import io.roomcast.core.runtime.EmitResult;
import io.roomcast.proto.v1.LeaveReason;

/** What an owner tells the node of a player, as that node's gateway side handles it. Thread-safe. */
public interface MemberNotices {

    void playerFrame(String roomId, long epoch, String playerId, byte[] serverFrame);

    void seatRemoved(String roomId, String playerId, LeaveReason reason, String detail);

    void emitAnswered(String playerId, int ackId, int requestId, EmitResult result);
}
