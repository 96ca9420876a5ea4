package io.roomcast.gateway.routing;

import com.google.protobuf.ByteString;
import io.roomcast.proto.cluster.EmitRequest;
import io.roomcast.proto.cluster.JoinReply;
import io.roomcast.proto.cluster.JoinRequest;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The way from this node's sessions to a room's owner, wherever it runs: {@link LocalOwner}
 * calls the owner side directly, {@link RemoteOwner} sends node messages to the owner's inbox.
 * Callers do not know which (see "The path of a join" in docs/architecture.md). Thread-safe.
 */
public interface OwnerChannel {

    /** What became of an input. */
    enum InputOutcome { QUEUED, ROOM_GONE, QUEUE_FULL }

    /**
     * A seat (or, with {@code rejoin}, a fresh Joined of a seat held). Completes with the owner's
     * answer, or exceptionally with {@link JoinTimedOut} when a remote owner did not answer in time.
     */
    CompletionStage<JoinReply> join(JoinRequest request);

    /** The player got its Joined: a seat reserved for it is its own now (a no-op for a local owner). */
    void claim(String roomId, String playerId);

    /** Frees the player's seat; {@code seatExpired}: the session is gone, not a request. */
    void leave(String roomId, String playerId, boolean seatExpired);

    /** The owner answers through the {@link MemberChannel} (when an ack was asked or it failed). */
    void emit(EmitRequest request);

    void keyframe(String roomId, String playerId);

    InputOutcome input(String roomId, String playerId, int seq, ByteString payload);

    /**
     * The room's events after {@code offset} (see {@link RoomRequests#eventsAfter}); completes
     * exceptionally with {@link JoinTimedOut} when a remote owner did not answer in time.
     */
    CompletionStage<List<byte[]>> eventsAfter(String roomId, long offset);

    /** A remote owner did not answer a join within the join timeout. */
    final class JoinTimedOut extends RuntimeException {
        JoinTimedOut(String owner, long millis) {
            super("the room's owner (" + owner + ") did not answer within " + millis + " ms", null, false, false);
        }
    }
}
