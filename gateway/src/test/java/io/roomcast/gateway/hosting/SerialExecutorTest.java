package io.roomcast.gateway.hosting;

import io.roomcast.gateway.LogContext;
import io.roomcast.gateway.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A room's serial executor: bounded requests, never-refused framework tasks, the stall it reports, its thread. */
class SerialExecutorTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        pool.shutdownNow();
    }

    /** A task that holds the room's thread until the test releases it. */
    private Runnable blocker(CountDownLatch started) {
        return () -> {
            started.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void aRoomsTasksLogWithItsIdAndThePoolThreadForgetsItAfterTheTurn() throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            SerialExecutor room = new SerialExecutor(one, "k3v9q2xw", 16, e -> {});
            SerialExecutor unnamed = new SerialExecutor(one, 16, e -> {});
            List<String> seen = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(3);
            room.execute(() -> {
                seen.add("room task: " + MDC.get(LogContext.ROOM));
                done.countDown();
            });
            room.execute(() -> {
                seen.add("room task: " + MDC.get(LogContext.ROOM));
                done.countDown();
            });
            one.execute(() -> {
                seen.add("after the turn: " + MDC.get(LogContext.ROOM)); // the same pool thread, outside any turn
                done.countDown();
            });
            assertTrue(done.await(2, TimeUnit.SECONDS));
            CountDownLatch other = new CountDownLatch(1);
            unnamed.execute(() -> {
                seen.add("another executor: " + MDC.get(LogContext.ROOM));
                other.countDown();
            });
            assertTrue(other.await(2, TimeUnit.SECONDS));
            assertEquals(List.of("room task: k3v9q2xw", "room task: k3v9q2xw", "after the turn: null", "another executor: null"), seen);
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void requestsPastTheBoundAreRefusedButFrameworkTasksAlwaysQueueAndAllRunInOrder() throws Exception {
        SerialExecutor room = new SerialExecutor(pool, 3, e -> {});
        CountDownLatch started = new CountDownLatch(1);
        room.execute(blocker(started));
        assertTrue(started.await(2, TimeUnit.SECONDS));
        StringBuilder ran = new StringBuilder();
        assertTrue(room.tryExecute(() -> ran.append('a')));
        assertTrue(room.tryExecute(() -> ran.append('b')));
        assertTrue(room.tryExecute(() -> ran.append('c')));
        assertFalse(room.tryExecute(() -> ran.append('x')), "three requests wait already: the fourth is refused");
        room.execute(() -> ran.append('L')); // a leave: never refused
        CountDownLatch done = new CountDownLatch(1);
        room.execute(done::countDown);
        release.countDown();
        assertTrue(done.await(2, TimeUnit.SECONDS));
        assertEquals("abcL", ran.toString());
        assertTrue(room.tryExecute(() -> {}), "room for requests again once the queue drained");
    }

    @Test
    void aTaskRunningPastTheBudgetIsReportedAsAStallAndAnIdleRoomIsNot() throws Exception {
        SerialExecutor room = new SerialExecutor(pool, 16, e -> {});
        assertEquals(0, room.stalledFor(System.nanoTime()), "idle");
        CountDownLatch started = new CountDownLatch(1);
        room.execute(blocker(started));
        assertTrue(started.await(2, TimeUnit.SECONDS));
        long inAMinute = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        assertTrue(room.stalledFor(inAMinute) >= TimeUnit.SECONDS.toNanos(59), "a task started now has run a minute by then");
        release.countDown();
        // Once the last task has returned (its latch opens inside it, a moment before), nothing runs.
        Eventually.holds(() -> room.stalledFor(inAMinute) == 0, "no task runs: no stall");
    }

    @Test
    void knowsWhetherTheCallerRunsOneOfItsTasksAndAFailingTaskIsCountedWithoutStoppingTheRoom() throws Exception {
        AtomicInteger errors = new AtomicInteger();
        SerialExecutor room = new SerialExecutor(pool, 16, e -> errors.incrementAndGet());
        SerialExecutor other = new SerialExecutor(pool, 16, e -> {});
        assertFalse(room.isCurrentThread());
        AtomicBoolean insideOwn = new AtomicBoolean();
        AtomicBoolean insideOther = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(1);
        room.execute(() -> {
            throw new IllegalStateException("a game bug");
        });
        room.execute(() -> {
            insideOwn.set(room.isCurrentThread());
            insideOther.set(other.isCurrentThread());
            done.countDown();
        });
        assertTrue(done.await(2, TimeUnit.SECONDS));
        assertTrue(insideOwn.get());
        assertFalse(insideOther.get());
        assertEquals(1, errors.get());
    }
}
