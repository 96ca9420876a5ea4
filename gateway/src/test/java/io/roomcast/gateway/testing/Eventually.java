package io.roomcast.gateway.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

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
}
