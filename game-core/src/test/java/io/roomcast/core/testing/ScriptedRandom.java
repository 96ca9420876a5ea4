package io.roomcast.core.testing;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.random.RandomGenerator;

/**
 * A {@link RandomGenerator} whose {@link #nextDouble()} returns the given values, in order, so a
 * test decides where a room places things. The bounded variants scale them as documented by
 * {@link RandomGenerator#nextDouble(double, double)}: {@code origin + u * (bound - origin)}.
 *
 * <p>Threading: not thread-safe; use it on the test's thread.
 */
public final class ScriptedRandom implements RandomGenerator {

    private final Queue<Double> values = new ArrayDeque<>();

    /** @param unitValues each in [0, 1) */
    public ScriptedRandom(double... unitValues) {
        for (double value : unitValues) {
            if (value < 0 || value >= 1) {
                throw new IllegalArgumentException("not in [0, 1): " + value);
            }
            values.add(value);
        }
    }

    /** The value {@code nextDouble(origin, bound)} must draw to return {@code target}. */
    public static double unitFor(double target, double origin, double bound) {
        return (target - origin) / (bound - origin);
    }

    @Override
    public double nextDouble() {
        Double value = values.poll();
        if (value == null) {
            throw new IllegalStateException("no scripted random value left");
        }
        return value;
    }

    @Override
    public long nextLong() {
        throw new UnsupportedOperationException("a ScriptedRandom only scripts nextDouble()");
    }
}
