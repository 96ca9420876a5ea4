package io.roomcast.gateway.metrics;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A room's last ticks for the admin page: the p99 by nearest rank over at most 256 ticks, recorded with no allocation. */
class TickSamplesTest {

    @Test
    void noTickNoFigure() {
        assertEquals(new TickSamples.Percentile(0, 0), new TickSamples().p99());
    }

    @Test
    void theP99OfTheTicksKeptAndOnlyTheLast256() {
        TickSamples samples = new TickSamples();
        for (int i = 1; i <= 100; i++) {
            samples.record(i * 1_000L); // 1..100 µs
        }
        assertEquals(new TickSamples.Percentile(99, 100), samples.p99(), "the 99th of 100");
        for (int i = 0; i < TickSamples.SIZE; i++) {
            samples.record(5_000); // 5 µs each: the first hundred are pushed out
        }
        assertEquals(new TickSamples.Percentile(5, TickSamples.SIZE), samples.p99());
        samples.record(2_000_000);
        samples.record(3_000_000);
        samples.record(4_000_000); // 3 of 256 over: the nearest rank 254 is the smallest of them
        assertEquals(2_000, samples.p99().micros());
    }

    @Test
    void recordingATickAllocatesNothing() {
        TickSamples samples = new TickSamples();
        for (int i = 0; i < 200_000; i++) {
            samples.record(i);
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++) {
            samples.record(i);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 64 * 1024, "a million recorded ticks allocated " + allocated + " bytes");
    }
}
