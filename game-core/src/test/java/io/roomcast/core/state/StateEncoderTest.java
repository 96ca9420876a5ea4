package io.roomcast.core.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import io.roomcast.core.testing.StateAssembler;
import io.roomcast.proto.v1.Entity;
import io.roomcast.proto.v1.State;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateEncoderTest {

    private final StateEncoder encoder = new StateEncoder("room-1", 10);

    private static StringValue value(String s) {
        return StringValue.of(s);
    }

    private State tick(long tick, Map<Integer, StringValue> entities) {
        entities.forEach(encoder::entity);
        return encoder.encode(tick).build();
    }

    private static Map<Integer, ByteString> bytes(Map<Integer, StringValue> entities) {
        Map<Integer, ByteString> bytes = new LinkedHashMap<>();
        entities.forEach((id, value) -> bytes.put(id, value.toByteString()));
        return bytes;
    }

    private static Map<Integer, ByteString> entitiesOf(State state) {
        Map<Integer, ByteString> entities = new LinkedHashMap<>();
        for (Entity entity : state.getEntitiesList()) {
            entities.put(entity.getId(), entity.getData());
        }
        return entities;
    }

    @Test
    void deltasAppliedToAKeyframeRebuildTheWholeStateOverRandomChanges() {
        SplittableRandom random = new SplittableRandom(42);
        Map<Integer, StringValue> truth = new LinkedHashMap<>();
        StateAssembler fromStart = new StateAssembler();
        assertTrue(fromStart.apply(encoder.snapshot(0, out -> {}).build()));
        StateAssembler lateJoiner = null;

        for (long tick = 1; tick <= 3_000; tick++) {
            for (int changes = random.nextInt(6); changes > 0; changes--) {
                int id = random.nextInt(40);
                if (random.nextInt(4) == 0) {
                    truth.remove(id);
                } else {
                    truth.put(id, value("v" + random.nextInt(3)));
                }
            }
            boolean requested = random.nextInt(25) == 0;
            if (requested) {
                encoder.requestKeyframe();
            }

            State state = tick(tick, truth);

            assertEquals(requested || tick % 10 == 0, state.getKeyframe(), "keyframe flag of tick " + tick);
            assertTrue(fromStart.apply(state), "tick " + tick + " follows the previous one");
            assertEquals(bytes(truth), fromStart.entities(), "state at tick " + tick);
            if (tick == 1_234) {
                lateJoiner = new StateAssembler();
                assertTrue(lateJoiner.apply(encoder.lastKeyframe().build()));
            } else if (lateJoiner != null) {
                assertTrue(lateJoiner.apply(state));
                assertEquals(bytes(truth), lateJoiner.entities(), "late joiner's state at tick " + tick);
            }
        }
    }

    @Test
    void aDeltaCarriesOnlyChangedAndNewEntitiesAndTheRemovedIds() {
        Map<Integer, StringValue> entities = new LinkedHashMap<>();
        entities.put(1, value("a"));
        entities.put(2, value("b"));
        tick(1, entities);

        entities.put(2, value("c"));
        entities.put(3, value("d"));
        State second = tick(2, entities);
        assertFalse(second.getKeyframe());
        assertEquals(Map.of(2, value("c").toByteString(), 3, value("d").toByteString()), entitiesOf(second));
        assertEquals(List.of(), second.getRemovedList());

        entities.remove(2);
        State third = tick(3, entities);
        assertEquals(Map.of(), entitiesOf(third));
        assertEquals(List.of(2), third.getRemovedList());
    }

    @Test
    void everyNthTickAndTheTickAfterARequestAreKeyframes() {
        StateEncoder everyThird = new StateEncoder("room-1", 3);
        List<Boolean> keyframes = new ArrayList<>();
        for (long tick = 1; tick <= 7; tick++) {
            if (tick == 4) {
                everyThird.requestKeyframe();
            }
            everyThird.entity(1, value("same"));
            State state = everyThird.encode(tick).build();
            keyframes.add(state.getKeyframe());
            if (tick > 1) {
                assertEquals(state.getKeyframe() ? 1 : 0, state.getEntitiesCount(), "only a keyframe repeats the unchanged entity");
            }
        }
        assertEquals(List.of(false, false, true, true, false, true, false), keyframes);
    }

    @Test
    void aViewerThatMissedATickRefusesDeltasUntilAKeyframe() {
        StateAssembler viewer = new StateAssembler();
        assertFalse(viewer.apply(tick(1, Map.of(1, value("a")))), "a delta without a keyframe first");
        assertTrue(viewer.apply(encoder.lastKeyframe().build()));
        tick(2, Map.of(1, value("b")));                        // missed
        State third = tick(3, Map.of(1, value("c"), 2, value("x")));

        assertFalse(viewer.apply(third));
        assertEquals(Map.of(1, value("a").toByteString()), viewer.entities());
        assertEquals(1, viewer.tick());

        assertTrue(viewer.apply(encoder.lastKeyframe().build()));
        assertEquals(3, viewer.tick());
        assertTrue(viewer.apply(tick(4, Map.of(2, value("y")))));
        assertEquals(Map.of(2, value("y").toByteString()), viewer.entities());
    }

    @Test
    void aSnapshotBetweenTicksDoesNotChangeTheNextDelta() {
        tick(1, Map.of(1, value("a")));

        State snapshot = encoder.snapshot(1, out -> {
            out.entity(1, value("z"));
            out.entity(2, value("y"));
        }).build();
        State next = tick(2, Map.of(1, value("a")));

        assertTrue(snapshot.getKeyframe());
        assertEquals(2, snapshot.getEntitiesCount());
        assertEquals(0, next.getEntitiesCount(), "entity 1 did not change since tick 1");
        assertEquals(0, next.getRemovedCount());
    }

    @Test
    void writingAnEntityIdTwiceInOneTickFails() {
        encoder.entity(7, value("a"));
        assertThrows(IllegalArgumentException.class, () -> encoder.entity(7, value("b")));
    }
}
