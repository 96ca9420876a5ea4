package io.roomcast.core.runtime;

import com.google.protobuf.StringValue;
import io.roomcast.core.loop.TickScheduler;
import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.room.RoomSettings;
import io.roomcast.core.room.RoomType;
import io.roomcast.core.testing.FakeClock;
import io.roomcast.core.testing.FakeScheduler;
import io.roomcast.core.testing.RecordingRoomOutput;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime's threading contract is checked, not only written down: with assertions on (as in
 * every test run), a call from a thread that is not the room's fails at once, naming the room.
 */
class RoomThreadContractTest {

    private static final RoomSettings SETTINGS = new RoomSettings(3, 20, 100, 4, 3, 5);

    /** A scheduler whose room thread the test switches on and off. */
    private static final class SwitchableScheduler implements TickScheduler {
        private final FakeScheduler fake;
        boolean onRoomThread = true;

        SwitchableScheduler(FakeClock clock) {
            this.fake = new FakeScheduler(clock);
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            return fake.schedule(task, delayNanos);
        }

        @Override
        public boolean isOnRoomThread() {
            return onRoomThread;
        }
    }

    @Test
    void aCallFromAnotherThreadThanTheRoomsFailsNamingTheRoomWhileInputsMayComeFromAnyThread() {
        FakeClock clock = new FakeClock();
        SwitchableScheduler scheduler = new SwitchableScheduler(clock);
        RoomRuntime<StringValue> runtime = new RoomRuntime<>("room-7",
                new RoomType<>("scripted", ScriptedRoom::new, StringValue.parser(), SETTINGS),
                SETTINGS, clock, scheduler, new RecordingRoomOutput(), 1L);
        runtime.start();
        runtime.join("p1", "one");

        scheduler.onRoomThread = false;
        AssertionError join = assertThrows(AssertionError.class, () -> runtime.join("p2", "two"));
        assertTrue(join.getMessage().contains("room-7"), join.getMessage());
        assertThrows(AssertionError.class, () -> runtime.leave("p1", LeaveCause.REQUESTED));
        assertThrows(AssertionError.class, runtime::playerCount);
        assertThrows(AssertionError.class, runtime::close);
        assertDoesNotThrow(() -> runtime.offerInput("p1", 1, StringValue.of("x").toByteString()),
                "inputs are the one way in from any thread");

        scheduler.onRoomThread = true;
        assertDoesNotThrow(runtime::close);
    }
}
