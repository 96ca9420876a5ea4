package io.roomcast.bots;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bots' latencies against a server's timestamps are only as good as this clock's agreement with the wall clock. */
class WallClockTest {

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    @Test
    void agreesWithTheSystemWallClockWithinAMillisecond() throws InterruptedException {
        WallClock clock = new WallClock();
        for (int i = 0; i < 5; i++) {
            long before = nowMicros();
            long ours = clock.micros();
            long after = nowMicros();
            assertTrue(ours >= before - 1_000 && ours <= after + 1_000,
                    "wall clock " + before + ".." + after + " µs, ours " + ours);
            Thread.sleep(20);
        }
    }
}
