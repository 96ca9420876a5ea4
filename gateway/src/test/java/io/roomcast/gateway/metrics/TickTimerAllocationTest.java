package io.roomcast.gateway.metrics;

import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.RoomOutput;
import io.roomcast.gateway.NodeMetrics;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The meters recorded on a room's thread, the tick timers (duration and lateness), allocate nothing
 * per tick: Micrometer's {@code Timer.record(long, TimeUnit)} on the Prometheus registry adds to
 * striped adders, a time-window max and an atomic array of buckets.
 */
class TickTimerAllocationTest {

    @Test
    void recordingATickAllocatesNothing() {
        NodeMetrics metrics = new NodeMetrics();
        new PrometheusMetrics("alloc-node", metrics, List.of("orb-rush"), () -> 0, () -> 0, game -> 0, game -> 0);
        RoomOutput room = new RoomOutput() {
            @Override public void toRoom(byte[] serverFrame, String exceptPlayerId) {}
            @Override public void toPlayer(String playerId, byte[] serverFrame) {}
            @Override public void playerRemoved(String playerId, LeaveCause cause, String detail) {}
            @Override public void roomClosed() {}
        };
        RoomOutput timed = metrics.timingTicks("orb-rush", room);
        assertNotSame(room, timed, "orb-rush ticks are timed");
        for (int i = 0; i < 200_000; i++) { // warm up: JIT, the adders' cells, the max's rotation
            timed.tickLate(i % 3_000_000);
            timed.tickTook(i % 5_000_000);
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++) {
            timed.tickLate(i % 3_000_000);
            timed.tickTook(i % 5_000_000);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // A million ticks; anything per tick would be >= 16 MB. The bound leaves room for the probe itself.
        assertTrue(allocated < 64 * 1024, "a million recorded ticks allocated " + allocated + " bytes");
    }
}
