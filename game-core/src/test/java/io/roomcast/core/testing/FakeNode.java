package io.roomcast.core.testing;

import io.roomcast.core.room.RoomType;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.proto.cluster.RoomSnapshot;

import java.time.Duration;
import java.util.Map;

/**
 * One node of a cluster running one room: a {@link RoomRuntime} on its own fake clock, scheduler
 * and recording output, so that a test can take the room over on another node.
 *
 * <p>Threading: not thread-safe; use it on the test's thread.
 */
public final class FakeNode<I> {

    private final FakeClock clock = new FakeClock();
    private final FakeScheduler scheduler = new FakeScheduler(clock);
    private final RecordingRoomOutput output = new RecordingRoomOutput();
    private final RoomRuntime<I> runtime;
    private final Duration tick;

    private FakeNode(String roomId, RoomType<I> type, long seed, Map<String, String> options) {
        runtime = new RoomRuntime<>(roomId, type, type.settings(), clock, scheduler, output, seed, options, 1);
        tick = Duration.ofSeconds(1).dividedBy(type.settings().tickRateHz());
    }

    /** A node running a new room of this type, started. */
    public static <I> FakeNode<I> withNewRoom(String roomId, RoomType<I> type, long seed) {
        return withNewRoom(roomId, type, seed, Map.of());
    }

    /** A node running a new room of this type created with these options ({@code ctx.options()}), started. */
    public static <I> FakeNode<I> withNewRoom(String roomId, RoomType<I> type, long seed, Map<String, String> options) {
        FakeNode<I> node = new FakeNode<>(roomId, type, seed, options);
        node.runtime.start();
        return node;
    }

    /** A node that took over the snapshot's room: restored from it, ticking on. */
    public static <I> FakeNode<I> takingOver(RoomSnapshot snapshot, RoomType<I> type, long seed) {
        FakeNode<I> node = new FakeNode<>(snapshot.getRoomId(), type, seed, Map.of());
        node.runtime.restore(snapshot);
        return node;
    }

    public RoomRuntime<I> runtime() {
        return runtime;
    }

    public RecordingRoomOutput output() {
        return output;
    }

    /** Lets {@code count} ticks run. */
    public void ticks(int count) {
        scheduler.advance(tick.multipliedBy(count));
    }
}
