package io.roomcast.gateway.members;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a {@link RoomFanout} gets the room events it missed: from the room's owner (see "Event
 * gaps heal" in docs/architecture.md). Implemented by the routing package's owner channels.
 */
@FunctionalInterface
public interface MissedEvents {

    /**
     * The events of {@code roomId} after {@code offset}, oldest first (encoded ServerFrames), as
     * {@code ownerNode} has them; may complete exceptionally (owner gone, no answer in time).
     */
    CompletionStage<List<byte[]>> after(String ownerNode, String roomId, long offset);

    /** Nothing to ask: a gap stays a gap. */
    MissedEvents NONE = (ownerNode, roomId, offset) -> CompletableFuture.completedFuture(List.of());
}
