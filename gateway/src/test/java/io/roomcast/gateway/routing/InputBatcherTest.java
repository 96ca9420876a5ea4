package io.roomcast.gateway.routing;

import io.roomcast.core.loop.Clock;
import io.roomcast.core.loop.TickGrid;
import io.roomcast.core.testing.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When the inputs for another node's room leave: just before the room's next tick on the wall clock's grid. */
class InputBatcherTest {

    private static final TickGrid PERIOD = TickGrid.of(Duration.ofMillis(50).toNanos());
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
    void aRoomOnALaterPhaseGetsItsInputsTheLeadBeforeItsOwnTick() {
        TickGrid phase3of5 = new TickGrid(Duration.ofMillis(50).toNanos(), Duration.ofMillis(30).toNanos());
        assertEquals(Duration.ofMillis(16).toNanos(), InputBatcher.sendDelayNanos(at(1_010), phase3of5, LEAD, WINDOW),
                "at wall 1.010 s a room offset by 30 ms ticks at 1.030 s: its inputs leave at 1.026 s");
        assertEquals(Duration.ofMillis(49).toNanos(), InputBatcher.sendDelayNanos(at(1_027), phase3of5, LEAD, WINDOW),
                "at 1.027 s, within the lead of 1.030 s: with the next one, at 1.076 s");
    }

    @Test
    void aRoomWhoseTickRateIsNotKnownYetUsesTheWindow() {
        assertEquals(WINDOW, InputBatcher.sendDelayNanos(at(1_010), null, LEAD, WINDOW));
        assertEquals(WINDOW, InputBatcher.sendDelayNanos(at(1_010), TickGrid.of(LEAD), LEAD, WINDOW),
                "a period no longer than the lead");
    }
}
