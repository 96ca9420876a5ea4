package io.roomcast.core.loop;

import io.roomcast.core.testing.FakeClock;
import io.roomcast.core.testing.FakeScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TickGridTest {

    private static final long PERIOD = Duration.ofMillis(50).toNanos();

    private final FakeClock clock = new FakeClock();

    @Test
    void theNextPointOfAnOffsetGridIsItsOffsetPastTheWallClocksMultiple() {
        clock.setWallOffsetNanos(Duration.ofMillis(1_020).toNanos()); // nanoTime 0 is wall 1.020 s
        TickGrid grid = new TickGrid(PERIOD, Duration.ofMillis(20).toNanos());

        assertEquals(Duration.ofMillis(50).toNanos(), grid.nextPoint(clock),
                "at wall 1.020 s, itself a point, the next is wall 1.070 s: nanoTime 50 ms");
        clock.advance(Duration.ofMillis(31)); // wall 1.051 s
        assertEquals(Duration.ofMillis(50).toNanos(), grid.nextPoint(clock),
                "at wall 1.051 s: wall 1.070 s, nanoTime 50 ms");
        clock.advance(Duration.ofMillis(19)); // wall 1.070 s, on a point
        assertEquals(Duration.ofMillis(100).toNanos(), grid.nextPoint(clock), "a point is after now, never now");
    }

    @Test
    void aLoopOnAnOffsetGridTicksAtTheOffsetOnTheWallClock() {
        long wallOffset = Duration.ofMillis(1_020).toNanos();
        clock.setWallOffsetNanos(wallOffset);
        FakeScheduler scheduler = new FakeScheduler(clock);
        List<Long> wallTicks = new ArrayList<>();
        new TickLoop(clock, scheduler, new TickGrid(PERIOD, Duration.ofMillis(10).toNanos()), 5,
                tick -> wallTicks.add(clock.nanoTime() + wallOffset)).start();

        scheduler.advance(Duration.ofMillis(150));

        assertEquals(List.of(1_060_000_000L, 1_110_000_000L, 1_160_000_000L), wallTicks);
    }

    @Test
    void phasesSpreadRoomsOverThePeriodAndEveryNodePutsARoomOnTheSamePhase() {
        Map<Long, Integer> roomsPerOffset = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            String roomId = "room-" + i;
            TickGrid grid = TickGrid.phased(roomId, PERIOD, 5);
            assertEquals(grid, TickGrid.phased(roomId, PERIOD, 5), "the same room, the same phase");
            assertEquals(0, grid.offsetNanos() % Duration.ofMillis(10).toNanos(), "on a 10 ms step");
            roomsPerOffset.merge(grid.offsetNanos(), 1, Integer::sum);
        }
        assertEquals(5, roomsPerOffset.size(), "every phase used: " + roomsPerOffset);
        roomsPerOffset.values().forEach(n -> assertTrue(n > 150 && n < 250, "about 200 rooms each: " + roomsPerOffset));
        assertEquals(TickGrid.of(PERIOD), TickGrid.phased("room-7", PERIOD, 1), "one phase: the period's multiples");
    }

    @Test
    void badGridsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TickGrid(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TickGrid(PERIOD, PERIOD));
        assertThrows(IllegalArgumentException.class, () -> new TickGrid(PERIOD, -1));
        assertThrows(IllegalArgumentException.class, () -> TickGrid.phased("r", PERIOD, 0));
        assertThrows(IllegalArgumentException.class, () -> TickGrid.phased("r", PERIOD, TickGrid.MAX_PHASES + 1));
    }
}
