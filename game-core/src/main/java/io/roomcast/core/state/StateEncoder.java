package io.roomcast.core.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.roomcast.core.room.StateWriter;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.State;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns the entities a room writes each tick into one {@link State}: a delta against the
 * previous tick (entities whose bytes changed or that are new, and the ids that disappeared),
 * or a keyframe (every entity) every {@code keyframeEveryTicks} ticks and when requested.
 * Entities keep the order the room wrote them in, so equal rooms encode to equal bytes.
 *
 * <p>Threading: confined to the room's thread.
 */
public final class StateEncoder implements StateWriter {

    private final String roomId;
    private final int keyframeEveryTicks;

    private Map<Integer, ByteString> previous = new LinkedHashMap<>();
    private Map<Integer, ByteString> current = new LinkedHashMap<>();
    private long encodedTick;
    private boolean keyframeRequested;

    public StateEncoder(String roomId, int keyframeEveryTicks) {
        if (keyframeEveryTicks <= 0) {
            throw new IllegalArgumentException("keyframeEveryTicks must be > 0, was " + keyframeEveryTicks);
        }
        this.roomId = roomId;
        this.keyframeEveryTicks = keyframeEveryTicks;
    }

    /** One entity of the tick being written; see {@link #encode}. */
    @Override
    public void entity(int id, MessageLite data) {
        put(current, id, data);
    }

    /** The next {@link #encode} produces a keyframe whatever its tick number. */
    public void requestKeyframe() {
        keyframeRequested = true;
    }

    /**
     * Ends the tick whose entities were written since the last call: returns its state (without
     * {@code applied} and {@code server_time_ms}, which the caller adds), and makes it the base
     * of the next delta.
     */
    public State.Builder encode(long tick) {
        boolean keyframe = keyframeRequested || tick % keyframeEveryTicks == 0;
        State.Builder state = State.newBuilder().setRoomId(roomId).setTick(tick).setKeyframe(keyframe);
        if (keyframe) {
            addAll(state, current);
        } else {
            current.forEach((id, data) -> {
                if (!data.equals(previous.get(id))) {
                    state.addEntities(entity(id, data));
                }
            });
            for (Integer id : previous.keySet()) {
                if (!current.containsKey(id)) {
                    state.addRemoved(id);
                }
            }
        }
        Map<Integer, ByteString> oldBase = previous;
        previous = current;
        current = oldBase;
        current.clear();
        encodedTick = tick;
        keyframeRequested = false;
        return state;
    }

    /** A keyframe of the tick last {@link #encode encoded}, for a viewer that cannot apply its delta. */
    public State.Builder lastKeyframe() {
        State.Builder state = State.newBuilder().setRoomId(roomId).setTick(encodedTick).setKeyframe(true);
        addAll(state, previous);
        return state;
    }

    /**
     * A keyframe of the state {@code source} writes now, between ticks (e.g. for a joining
     * player), labelled with {@code tick}. The base of the next delta is not touched.
     */
    public State.Builder snapshot(long tick, Consumer<StateWriter> source) {
        Map<Integer, ByteString> entities = new LinkedHashMap<>();
        source.accept((id, data) -> put(entities, id, data));
        State.Builder state = State.newBuilder().setRoomId(roomId).setTick(tick).setKeyframe(true);
        addAll(state, entities);
        return state;
    }

    private static void put(Map<Integer, ByteString> entities, int id, MessageLite data) {
        if (entities.putIfAbsent(id, data.toByteString()) != null) {
            throw new IllegalArgumentException("entity " + id + " written twice in one state");
        }
    }

    private static void addAll(State.Builder state, Map<Integer, ByteString> entities) {
        entities.forEach((id, data) -> state.addEntities(entity(id, data)));
    }

    private static Entity entity(int id, ByteString data) {
        return Entity.newBuilder().setId(id).setData(data).build();
    }
}
