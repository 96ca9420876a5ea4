package io.roomcast.gateway.routing;

import io.roomcast.core.loop.Clock;
import io.roomcast.core.testing.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When the inputs for another node's room leave: just before the room's next tick on the wall clock's grid. */
class InputBatcherTest {

    private static final long PERIOD = Duration.ofMillis(50).toNanos();
    private static final long LEAD = Duration.ofMillis(4).toNanos();
    private static final long WINDOW = Duration.ofMillis(5).toNanos();

    /** A clock at {@code wallMillis} past the epoch (its nanoTime a different number, as a monotonic clock's is). */
    private static Clock at(double wallMillis) {
        FakeClock clock = new FakeClock();
        clock.advanceNanos(123_456_789L);
        clock.setWallOffsetNanos(Math.round(wallMillis * 1_000_000) - clock.nanoTime());
        return clock;
    }

    @Test
    void inputsLeaveTheLeadBeforeTheNextTick() {
        assertEquals(Duration.ofMillis(36).toNanos(), InputBatcher.sendDelayNanos(at(1_010), PERIOD, LEAD, WINDOW),
                "at wall 1.010 s the room ticks at 1.050 s: its inputs leave at 1.046 s");
        assertEquals(0, InputBatcher.sendDelayNanos(at(1_046), PERIOD, LEAD, WINDOW), "right at the send time: now");
    }

    @Test
    void anInputWithinTheLeadOfATickGoesWithTheNextOne() {
        assertEquals(Duration.ofMillis(48).toNanos(), InputBatcher.sendDelayNanos(at(1_048), PERIOD, LEAD, WINDOW),
                "at wall 1.048 s it would reach the owner after the 1.050 s tick: it leaves at 1.096 s for the 1.100 s one");
    }

    @Test
    void aRoomWhoseTickRateIsNotKnownYetUsesTheWindow() {
        assertEquals(WINDOW, InputBatcher.sendDelayNanos(at(1_010), 0, LEAD, WINDOW));
        assertEquals(WINDOW, InputBatcher.sendDelayNanos(at(1_010), LEAD, LEAD, WINDOW), "a period no longer than the lead");
    }
}
