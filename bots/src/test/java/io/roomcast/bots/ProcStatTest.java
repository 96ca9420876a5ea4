package io.roomcast.bots;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcStatTest {

    @Test
    void threadsOfOnePoolShareAName() {
        assertEquals("XNIO-1 I/O", ProcStat.poolName("XNIO-1 I/O-2"));
        assertEquals("room-worker", ProcStat.poolName("room-worker-13"));
        assertEquals("ZWorkerYoung", ProcStat.poolName("ZWorkerYoung#0"));
        assertEquals("lettuce-nioEven", ProcStat.poolName("lettuce-nioEven"));
        assertEquals("42", ProcStat.poolName("42"), "a name that is only a number stays");
    }

    @Test
    void threadGroupsCountOnlyTheIntervalAndLeaveEndedThreadsOut() {
        Map<String, ProcStat.ThreadSample> before = Map.of(
                "10", new ProcStat.ThreadSample("io-1", 5.0, 100),
                "11", new ProcStat.ThreadSample("io-2", 1.0, 10),
                "12", new ProcStat.ThreadSample("ended-1", 9.0, 9));
        Map<String, ProcStat.ThreadSample> after = Map.of(
                "10", new ProcStat.ThreadSample("io-1", 5.5, 150),
                "11", new ProcStat.ThreadSample("io-2", 1.25, 30),
                "13", new ProcStat.ThreadSample("timer", 0.5, 7));

        List<ProcStat.ThreadGroupUse> groups = ProcStat.threadGroups(before, after);

        assertEquals(List.of(new ProcStat.ThreadGroupUse("io", 0.75, 70), new ProcStat.ThreadGroupUse("timer", 0.5, 7)),
                groups, "busiest first; the new thread from zero; the ended one not at all");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aBusyThreadOfThisProcessShowsItsCpuAndItsSleeps() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Map<String, ProcStat.ThreadSample> before = ProcStat.threads("self");
        Thread busy = Thread.ofPlatform().name("procstat-busy-1").start(() -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            long sleeps = 0;
            while (System.nanoTime() < end) {
                if (sleeps++ < 20) {
                    try {
                        Thread.sleep(1); // 20 voluntary context switches
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            try {
                done.await(); // alive for the second reading
            } catch (InterruptedException ignored) {
                // ends
            }
        });
        Thread.sleep(400);
        Map<String, ProcStat.ThreadSample> after = ProcStat.threads("self");
        done.countDown();
        busy.join();

        ProcStat.ThreadGroupUse pool = ProcStat.threadGroups(before, after).stream()
                .filter(g -> g.name().equals("procstat-busy")).findFirst().orElseThrow();
        assertTrue(pool.cpuSeconds() >= 0.15, "about 0.28 s of spinning, was " + pool.cpuSeconds());
        assertTrue(pool.wakeUps() >= 20, "its 20 sleeps and the wait, was " + pool.wakeUps());
    }
}
