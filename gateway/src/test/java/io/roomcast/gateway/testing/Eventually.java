package io.roomcast.gateway.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: tests wait for facts, not for time. */
public final class Eventually {

    private Eventually() {}

    public static void holds(BooleanSupplier condition, String what) throws InterruptedException {
        holds(condition, what, TestClient.TIMEOUT);
    }

    public static void holds(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Polls {@code probe} until its value satisfies {@code done}, and returns that value; on the
     * deadline fails with the last value seen, so the failure says what was there instead.
     */
    public static <T> T value(Supplier<T> probe, Predicate<T> done, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what + "; last seen: " + value);
            }
            Thread.sleep(10);
        }
    }
}
