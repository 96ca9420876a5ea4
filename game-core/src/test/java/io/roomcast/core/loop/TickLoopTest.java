package io.roomcast.core.loop;

import io.roomcast.core.testing.FakeClock;
import io.roomcast.core.testing.FakeScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TickLoopTest {

    private static final long PERIOD = Duration.ofMillis(50).toNanos();
    private static final int MAX_CATCH_UP = 5;

    private final FakeClock clock = new FakeClock();
    private final FakeScheduler scheduler = new FakeScheduler(clock);
    /** The clock reading at each tick, by tick number - 1. */
    private final List<Long> tickTimes = new ArrayList<>();

    private TickLoop loop(TickScheduler scheduler, LongConsumer alsoOnTick) {
        return new TickLoop(clock, scheduler, TickGrid.of(PERIOD), MAX_CATCH_UP, tick -> {
            assertEquals(tickTimes.size() + 1, tick, "tick numbers count up from 1 without gaps");
            tickTimes.add(clock.nanoTime());
            alsoOnTick.accept(tick);
        });
    }

    private TickLoop loop() {
        return loop(scheduler, tick -> {});
    }

    @Test
    void loopsStartedAtDifferentTimesTickAtTheSameInstants() {
        List<Long> laterTickTimes = new ArrayList<>();
        loop().start();
        scheduler.advance(Duration.ofMillis(17));
        new TickLoop(clock, scheduler, TickGrid.of(PERIOD), MAX_CATCH_UP, tick -> laterTickTimes.add(clock.nanoTime())).start();

        scheduler.advance(Duration.ofMillis(500));

        assertEquals(10, tickTimes.size());
        assertEquals(tickTimes, laterTickTimes, "both loops tick at the same instants (the later one's first"
                + " tick comes 33 ms after its start, on the shared grid, not 50 ms)");
    }

    /** Two nodes whose monotonic clocks differ but whose wall clocks agree tick at the same wall-clock instants. */
    @Test
    void theGridIsLaidOnTheWallClock() {
        long wallOffset = Duration.ofMillis(1_020).toNanos(); // this clock's nanoTime 0 is wall 1.020 s
        clock.setWallOffsetNanos(wallOffset);
        List<Long> wallTicks = new ArrayList<>();
        scheduler.advance(Duration.ofMillis(3));
        new TickLoop(clock, scheduler, TickGrid.of(PERIOD), MAX_CATCH_UP, tick -> wallTicks.add(clock.nanoTime() + wallOffset)).start();

        scheduler.advance(Duration.ofMillis(200));

        assertEquals(List.of(1_050_000_000L, 1_100_000_000L, 1_150_000_000L, 1_200_000_000L), wallTicks,
                "ticks at multiples of the period on the wall clock: the first 27 ms after the start, not 50");
        assertEquals(Duration.ofMillis(230).toNanos(), TickGrid.of(PERIOD).nextPoint(clock),
                "at nanoTime 203 ms (wall 1.223 s) the next grid point is wall 1.250 s: nanoTime 230 ms");
    }

    @Test
    void ticksAtTheExactRateWithoutDriftWhenWakeUpsAreLate() {
        long maxLateness = Duration.ofMillis(120).toNanos();
        SplittableRandom jitter = new SplittableRandom(7);
        TickScheduler late = (task, delay) -> scheduler.schedule(task, delay + jitter.nextLong(maxLateness));
        TickLoop loop = loop(late, tick -> {});
        long origin = clock.nanoTime();

        loop.start();
        scheduler.advance(Duration.ofNanos(10_000 * PERIOD + maxLateness));

        assertTrue(loop.ticks() >= 10_000, "ticks run: " + loop.ticks());
        assertEquals(0, loop.skippedTicks());
        for (int n = 1; n <= tickTimes.size(); n++) {
            long due = origin + n * PERIOD;
            long ranAt = tickTimes.get(n - 1);
            assertTrue(ranAt >= due && ranAt < due + maxLateness,
                    "tick " + n + " due at " + due + " ran at " + ranAt);
        }
    }

    @Test
    void aTickThatThrowsIsReportedAndTheLoopKeepsTicking() {
        TickLoop loop = loop(scheduler, tick -> {
            if (tick == 3) {
                throw new IllegalStateException("bug in the room");
            }
        });
        loop.start();
        int thrown = 0;
        for (int step = 0; step < 10; step++) {
            try {
                scheduler.advance(Duration.ofNanos(PERIOD));
            } catch (IllegalStateException expected) {
                thrown++;
            }
        }
        assertEquals(1, thrown, "the exception reaches the scheduler (which logs and counts it)");
        assertEquals(10, loop.ticks(), "ticks go on after the failing one");
    }

    @Test
    void firstTickIsDueOnePeriodAfterStart() {
        TickLoop loop = loop();
        loop.start();

        scheduler.advance(Duration.ofNanos(PERIOD - 1));
        assertEquals(0, loop.ticks());
        scheduler.advance(Duration.ofNanos(1));
        assertEquals(List.of(PERIOD), tickTimes);
    }

    @Test
    void afterALongStallRunsAtMostMaxCatchUpTicksBackToBackThenSkipsTheRest() {
        TickLoop loop = loop();
        loop.start();
        scheduler.advance(Duration.ofSeconds(1));
        assertEquals(20, loop.ticks());

        clock.advance(Duration.ofSeconds(1)); // the room's thread was stalled: nothing ran
        scheduler.runDue();

        long stallEnd = Duration.ofSeconds(2).toNanos();
        assertEquals(25, loop.ticks(), "20 on time, then " + MAX_CATCH_UP + " back to back");
        assertEquals(List.of(stallEnd, stallEnd, stallEnd, stallEnd, stallEnd), tickTimes.subList(20, 25));
        assertEquals(15, loop.skippedTicks(), "20 were due after the stall: 5 ran, 15 skipped");

        scheduler.advance(Duration.ofSeconds(1));
        assertEquals(45, loop.ticks());
        for (int i = 0; i < 20; i++) {
            assertEquals(stallEnd + (i + 1) * PERIOD, tickTimes.get(25 + i), "on schedule again");
        }
        assertEquals(15, loop.skippedTicks());
    }

    @Test
    void aLoopCanContinueTheNumberingOfAnotherOne() {
        List<Long> numbers = new ArrayList<>();
        TickLoop loop = new TickLoop(clock, scheduler, TickGrid.of(PERIOD), MAX_CATCH_UP, numbers::add);
        scheduler.advance(Duration.ofSeconds(3));

        loop.continueAfter(41);
        assertEquals(41, loop.ticks());
        loop.start();
        scheduler.advance(Duration.ofNanos(PERIOD - 1));
        assertEquals(List.of(), numbers, "the first tick is due one period after start");
        scheduler.advance(Duration.ofNanos(1 + 2 * PERIOD));
        assertEquals(List.of(42L, 43L, 44L), numbers);

        clock.advance(Duration.ofSeconds(1));
        scheduler.runDue();
        assertEquals(List.of(45L, 46L, 47L, 48L, 49L), numbers.subList(3, 8), "catch-up as usual");
        assertEquals(15, loop.skippedTicks());
        assertThrows(IllegalStateException.class, () -> loop.continueAfter(7), "only before start");
    }

    @Test
    void stopCancelsTheNextWakeUp() {
        TickLoop loop = loop();
        loop.start();
        scheduler.advance(Duration.ofNanos(3 * PERIOD));

        loop.stop();
        scheduler.advance(Duration.ofSeconds(10));

        assertEquals(3, loop.ticks());
        assertEquals(0, scheduler.pendingTasks());
    }

    @Test
    void stopCalledFromATickEndsTheCatchUpRun() {
        TickLoop[] self = new TickLoop[1];
        self[0] = loop(scheduler, tick -> {
            if (tick == 2) {
                self[0].stop();
            }
        });
        self[0].start();

        clock.advance(Duration.ofSeconds(1));
        scheduler.runDue();

        assertEquals(2, self[0].ticks());
        assertEquals(0, scheduler.pendingTasks());
    }
}
