package io.roomcast.gateway.routing;

import com.google.protobuf.ByteString;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.proto.cluster.EmitRequest;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the owner side of this node answers, for its own sessions ({@link LocalOwner}) and for
 * other nodes' ({@link NodeInbox}). Implemented by the hosting package. Thread-safe.
 */
public interface RoomRequests {

    /**
     * Seats the player of {@code fromNode} (or re-sends the Joined of a seat held, for a rejoin).
     * With {@code reserve} the seat waits for a {@link #claim} and is freed without one (a remote
     * gateway may never learn of it). Completes on the room's thread.
     */
    CompletionStage<JoinReply> join(String fromNode, JoinRequest request, boolean reserve);

    void claim(String roomId, String playerId);

    /**
     * Frees the player's seat — only when {@code fromNode} holds it: a node whose session of the
     * player was resumed on another node gives up nothing when its own copy expires.
     */
    void leave(String fromNode, String roomId, String playerId, LeaveCause cause);

    /** Answers through the {@link MemberChannel} to {@code fromNode}. */
    void emit(String fromNode, EmitRequest request);

    void keyframe(String roomId, String playerId);

    OwnerChannel.InputOutcome input(String roomId, String playerId, int seq, ByteString payload);

    /**
     * The room's logged events after {@code offset}, oldest first (encoded ServerFrames), for a
     * fan-out that missed them; empty if the room is not hosted here. Completes on the room's thread.
     */
    CompletionStage<List<byte[]>> eventsAfter(String roomId, long offset);

    /**
     * A resume found the room's owner gone: it did not answer, or said it does not host the room
     * ({@code ownerSaysNotHere}: it restarted). Takes the room over from its snapshot if its owner
     * is surely gone and its lease has lapsed — no node may have been listening to notice the
     * silence, when all its players were on the dead node. A no-op otherwise. Asynchronous.
     * {@code eventsSeen}: the last room event the resuming player saw (-1: unknown); the room goes
     * on past it even if its store lost the newest events with the dead owner.
     */
    void claimAbandoned(String roomId, String formerOwner, boolean ownerSaysNotHere, long eventsSeen);
}
