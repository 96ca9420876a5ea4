package io.roomcast.gateway.routing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** Creates rooms on this node (the owner side), for the joins of this node's sessions. Thread-safe. */
public interface RoomCreator {

    enum Outcome {
        CREATED,
        /** Another node holds a room of that name (the caller joins it instead). */
        NAME_TAKEN,
        /** This node holds --max-rooms-per-node rooms already. */
        NODE_FULL
    }

    record Created(Outcome outcome, String roomId) {}

    /**
     * A new room of {@code gameType}, named {@code name}, or with a fresh random id when null,
     * created with {@code options} (valid ones: see {@code Join.options}), listed in the directory
     * under the filter key they make for the game.
     */
    CompletionStage<Created> create(String gameType, String name, Map<String, String> options);

    /**
     * The directory's filter key of a room of {@code gameType} (one of {@link #gameTypes()})
     * created with {@code options}: the values of the options the game filters by.
     */
    String filterKey(String gameType, Map<String, String> options);

    /** Whether this node runs the room. */
    boolean hosts(String roomId);

    /** The room types this node offers. */
    Set<String> gameTypes();
}
