package io.roomcast.gateway.hosting;

import io.roomcast.core.loop.Clock;
import io.roomcast.core.loop.TickScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wake-ups of many rooms due at one instant, handed to the room workers together. */
class DueTicksTest {

    private static final long FAR = TimeUnit.SECONDS.toNanos(10);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        timer.shutdownNow();
        pool.shutdownNow();
    }

    private List<SerialExecutor> rooms(int n) {
        List<SerialExecutor> rooms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rooms.add(new SerialExecutor(pool, 100, e -> {}));
        }
        return rooms;
    }

    private static long soon() {
        return Clock.SYSTEM.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
    }

    @Test
    void theWakeUpsOfRoomsDueAtOneInstantRunInOnePoolTask() throws Exception {
        AtomicInteger handOffs = new AtomicInteger();
        DueTicks dueTicks = new DueTicks(timer, task -> {
            handOffs.incrementAndGet();
            pool.execute(task);
        }, 2, FAR);
        List<SerialExecutor> rooms = rooms(25);
        Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
        CountDownLatch ran = new CountDownLatch(rooms.size());
        long due = soon();
        for (SerialExecutor room : rooms) {
            dueTicks.schedule(room, () -> {
                assertTrue(room.isCurrentThread(), "a room's task runs as its executor's turn");
                ranOn.add(Thread.currentThread());
                ran.countDown();
            }, due, Clock.SYSTEM);
        }

        assertTrue(ran.await(5, TimeUnit.SECONDS), "every room's wake-up ran");
        assertTrue(Clock.SYSTEM.nanoTime() >= due, "not before it was due");
        assertEquals(1, ranOn.size(), "light rooms: one worker ran them all, not one hand-off each");
        assertEquals(1, handOffs.get(), "one pool task for the 25 rooms");
    }

    @Test
    void aWorkerThatRunsLongCallsInTheOtherThreadsOfThePool() throws Exception {
        DueTicks dueTicks = new DueTicks(timer, pool, 2, TimeUnit.MILLISECONDS.toNanos(1));
        List<SerialExecutor> rooms = rooms(6);
        Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
        CountDownLatch ran = new CountDownLatch(rooms.size());
        long due = soon();
        for (SerialExecutor room : rooms) {
            dueTicks.schedule(room, () -> {
                ranOn.add(Thread.currentThread());
                sleep(20); // a heavy tick
                ran.countDown();
            }, due, Clock.SYSTEM);
        }

        assertTrue(ran.await(5, TimeUnit.SECONDS), "every room's wake-up ran");
        assertEquals(2, ranOn.size(), "heavy rooms were shared by both workers of the pool");
    }

    @Test
    void aCancelledWakeUpDoesNotRunAndLaterOnesGetTheirOwnBatch() throws Exception {
        DueTicks dueTicks = new DueTicks(timer, pool, 2, FAR);
        List<SerialExecutor> rooms = rooms(3);
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(3);
        long due = soon();
        dueTicks.schedule(rooms.get(0), () -> { ran.add("a"); done.countDown(); }, due, Clock.SYSTEM);
        TickScheduler.Cancellable b = dueTicks.schedule(rooms.get(1), () -> ran.add("b"), due, Clock.SYSTEM);
        dueTicks.schedule(rooms.get(2), () -> {
            ran.add("c");
            done.countDown();
            // asked from inside the batch for the same instant (already past): runs, in a batch of its own
            dueTicks.schedule(rooms.get(2), () -> { ran.add("c again"); done.countDown(); }, due, Clock.SYSTEM);
        }, due, Clock.SYSTEM);
        b.cancel();

        assertTrue(done.await(5, TimeUnit.SECONDS), "the wake-ups not cancelled ran");
        assertEquals(List.of("a", "c", "c again"), ran);
    }

    @Test
    void aRoomWithATurnAlreadyPendingRunsItsWakeUpOnceAfterItsEarlierTasks() throws Exception {
        DueTicks dueTicks = new DueTicks(timer, pool, 2, FAR);
        SerialExecutor room = rooms(1).get(0);
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        room.execute(() -> { await(release); ran.add("request"); }); // the room is busy when its tick falls due
        long due = Clock.SYSTEM.nanoTime();
        dueTicks.schedule(room, () -> { ran.add("tick"); done.countDown(); }, due, Clock.SYSTEM);
        Thread.sleep(50);
        release.countDown();

        assertTrue(done.await(5, TimeUnit.SECONDS));
        Thread.sleep(50);
        assertEquals(List.of("request", "tick"), ran, "in order, once: the pending turn ran the tick");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
