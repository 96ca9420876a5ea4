package io.roomcast.gateway.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Which rooms exist in the cluster, of which game, under which filter key, with how many free
 * seats. Quick-join from any node asks it for the same answer. Thread-safe; answers are
 * asynchronous because the cluster implementation asks Redis.
 */
public interface RoomDirectory {

    /**
     * A room as quick-join sees it.
     *
     * @param filterKey the values of the room's creation options its game filters by
     *                  ({@link #filterKey}); empty when the game filters by nothing
     */
    record RoomEntry(String roomId, String gameType, String filterKey, int freeSeats) {}

    /** A room of {@code gameType} created under {@code filterKey}, with a free seat, the fullest first, if any. */
    CompletionStage<Optional<RoomEntry>> findJoinable(String gameType, String filterKey);

    /** Adds or updates a room's entry (called by its owner when seats change). */
    CompletionStage<Void> publish(RoomEntry entry);

    /**
     * Removes a room's entry; {@code gameType} and {@code filterKey} may be null when the caller
     * does not know them (the entry names them).
     */
    CompletionStage<Void> remove(String roomId, String gameType, String filterKey);

    /**
     * The canonical filter key of a room created with {@code options}, for a game filtering by
     * {@code filterBy}: {@code name=value} per filtered option, in {@code filterBy} order, one a
     * line (a backslash or a line feed in a value escaped), an option not given counted as the
     * empty value; every other option is left out. Empty when {@code filterBy} is, and when every
     * filtered option is empty: a client that sends no options is listed as before games filtered.
     */
    static String filterKey(List<String> filterBy, Map<String, String> options) {
        if (filterBy.stream().allMatch(name -> options.getOrDefault(name, "").isEmpty())) {
            return "";
        }
        StringBuilder key = new StringBuilder();
        for (String name : filterBy) {
            if (!key.isEmpty()) {
                key.append('\n');
            }
            String value = options.getOrDefault(name, "");
            key.append(name).append('=').append(value.replace("\\", "\\\\").replace("\n", "\\n"));
        }
        return key.toString();
    }
}
