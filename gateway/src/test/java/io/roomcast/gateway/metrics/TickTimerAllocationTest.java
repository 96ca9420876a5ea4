package io.roomcast.gateway.metrics;

import io.roomcast.core.room.LeaveCause;
import io.roomcast.core.runtime.RoomOutput;
import io.lettuce.core.protocol.CommandType;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.redis.RedisCommandLatency;
import io.roomcast.gateway.cluster.redis.WallClockMicros;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Instant;
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

    @Test
    void theMicrosecondWallClockFollowsTheWallClock() {
        for (int i = 0; i < 5; i++) {
            Instant before = Instant.now();
            long micros = WallClockMicros.now();
            Instant after = Instant.now();
            long low = before.getEpochSecond() * 1_000_000L + before.getNano() / 1_000;
            long high = after.getEpochSecond() * 1_000_000L + after.getNano() / 1_000;
            // Within a millisecond: nanoTime and the wall clock drift apart by parts per million per second at most.
            assertTrue(micros >= low - 1_000 && micros <= high + 1_000, low + " <= " + micros + " <= " + high);
        }
    }

    /**
     * The other per-event meters: frames in and out by type and closes by code (I/O threads, per
     * frame), Redis command latencies (Lettuce's event loop, per command) and the pub/sub lag (per
     * room frame received, its stamps read from {@link WallClockMicros}) pick a pre-made adder or
     * timer by index: nothing allocated per event.
     */
    @Test
    void countingFramesClosesRedisCommandsAndLagsAllocatesNothing() {
        NodeMetrics metrics = new NodeMetrics();
        new PrometheusMetrics("alloc-node", metrics, List.of("orb-rush"), () -> 0, () -> 0, game -> 0, game -> 0);
        RedisCommandLatency redis = new RedisCommandLatency(metrics);
        ClientFrame.BodyCase[] in = ClientFrame.BodyCase.values();
        ServerFrame.BodyCase[] out = ServerFrame.BodyCase.values();
        CommandType[] commands = {CommandType.PUBLISH, CommandType.EVAL, CommandType.GET, CommandType.HELLO};
        int[] codes = {1000, 1006, 4008, 4321};
        for (int i = 0; i < 200_000; i++) {
            event(metrics, redis, in, out, commands, codes, i);
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++) {
            event(metrics, redis, in, out, commands, codes, i);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 64 * 1024, "a million rounds of events allocated " + allocated + " bytes");
        assertTrue(metrics.framesIn.get("input") > 0 && metrics.connectionsClosed.get("other") > 0);
    }

    private static void event(NodeMetrics metrics, RedisCommandLatency redis, ClientFrame.BodyCase[] in,
                              ServerFrame.BodyCase[] out, CommandType[] commands, int[] codes, int i) {
        metrics.frameIn(in[i % in.length]);
        metrics.frameOut(out[i % out.length]);
        if (i % 100 == 0) {
            metrics.undecodableFrameIn();
            metrics.connectionClosed(codes[i / 100 % codes.length]);
        }
        redis.recordCommandLatency(null, null, commands[i % commands.length], 50_000, 80_000 + i % 1_000_000);
        long sentAtMicros = WallClockMicros.now() - 200 - i % 3_000; // a RoomFrame's stamp, then its receipt
        metrics.pubSubLag((WallClockMicros.now() - sentAtMicros) * 1_000);
    }
}
