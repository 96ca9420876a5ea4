package io.roomcast.core.testing;

import com.google.protobuf.ByteString;
import io.roomcast.core.state.StateEncoder;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.State;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A viewer's side of {@link StateEncoder}: rebuilds the room's whole state from a keyframe
 * and the deltas that follow it, the way a client does. Test support: the tests of rooms and of
 * the runtime check what a viewer would see with it.
 *
 * <p>Threading: not thread-safe; one instance per viewer, used by one thread at a time.
 */
public final class StateAssembler {

    private final Map<Integer, ByteString> entities = new LinkedHashMap<>();
    private boolean hasBase;
    private long tick;

    /**
     * Applies a keyframe (always possible) or a delta (only directly after the tick it is a
     * delta against). Returns false, changing nothing, for a delta that cannot be applied: the
     * viewer missed a tick, or has no keyframe yet, and needs a keyframe.
     */
    public boolean apply(State state) {
        if (state.getKeyframe()) {
            entities.clear();
        } else if (!hasBase || state.getTick() != tick + 1) {
            return false;
        }
        for (int id : state.getRemovedList()) {
            entities.remove(id);
        }
        for (Entity entity : state.getEntitiesList()) {
            entities.put(entity.getId(), entity.getData());
        }
        hasBase = true;
        tick = state.getTick();
        return true;
    }

    /** The entity bytes by id as of {@link #tick()}; a read-only view. */
    public Map<Integer, ByteString> entities() {
        return Collections.unmodifiableMap(entities);
    }

    /** The tick of the last state applied. */
    public long tick() {
        return tick;
    }

    /** Whether a keyframe has been applied, so deltas can follow. */
    public boolean hasBase() {
        return hasBase;
    }
}
