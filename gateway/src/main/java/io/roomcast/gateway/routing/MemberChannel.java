package io.roomcast.gateway.routing;

import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.EmitResult;

/**
 * The way back from a room's owner to the node holding a player's session: direct calls when
 * that is this node (or unknown), a node message to its inbox otherwise. Thread-safe.
 */
public interface MemberChannel {

    /**
     * One frame of a room for one player (a keyframe it asked for, a direct event), stamped with
     * the owner's {@code epoch}: dropped where a newer owner of the room was heard.
     */
    void playerFrame(String node, String roomId, long epoch, String playerId, byte[] serverFrame);

    /** The room freed the player's seat on its own (kick, room closing). */
    void seatRemoved(String node, String roomId, String playerId, LeaveCause cause, String detail);

    /** The answer to an emit (sent when an ack was asked or it failed). */
    void emitAnswered(String node, String playerId, int ackId, int requestId, EmitResult result);
}
