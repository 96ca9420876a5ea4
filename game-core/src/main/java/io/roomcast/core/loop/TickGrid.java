package io.roomcast.core.loop;

/**
 * Where a room's ticks fall on the wall clock: at every multiple of {@code periodNanos} plus
 * {@code offsetNanos}. Loops with the same grid tick at the same instants, on every node whose
 * wall clock agrees, so a node can time what it sends to the ticks of a room another node owns.
 *
 * <p>The rooms of one tick rate are spread over a few offsets ({@link #phased}): all of a node's
 * rooms on one instant made one burst per period (every room's encode, every socket's write and
 * the players' reads at once) whose tail was most of the tick-to-client latency; a few phases cut
 * the burst into as many smaller ones and keep the shared wake-ups and the one-message-per-node
 * batches within each (docs/architecture.md, "Tick phases").
 *
 * @param periodNanos the tick period, > 0
 * @param offsetNanos where in the period the ticks fall, 0 <= offset < period
 */
public record TickGrid(long periodNanos, long offsetNanos) {

    /** How many phases a period is split into at most: each at least a few milliseconds apart at 20 Hz. */
    public static final int MAX_PHASES = 16;

    public TickGrid {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("periodNanos must be > 0, was " + periodNanos);
        }
        if (offsetNanos < 0 || offsetNanos >= periodNanos) {
            throw new IllegalArgumentException("offsetNanos must be in [0, " + periodNanos + "), was " + offsetNanos);
        }
    }

    /** The grid of the period's multiples themselves. */
    public static TickGrid of(long periodNanos) {
        return new TickGrid(periodNanos, 0);
    }

    /**
     * The grid of a room whose rate's period is split into {@code phases} equally spaced offsets:
     * the room takes the one its id hashes to. The hash is {@link String#hashCode}, which the
     * language fixes, so every node (and the next owner after a takeover) puts a room on the same
     * phase.
     */
    public static TickGrid phased(String roomId, long periodNanos, int phases) {
        if (phases < 1 || phases > MAX_PHASES) {
            throw new IllegalArgumentException("phases must be in 1.." + MAX_PHASES + ", was " + phases);
        }
        return new TickGrid(periodNanos, Math.floorMod(roomId.hashCode(), phases) * (periodNanos / phases));
    }

    /**
     * The next point of the grid on {@code clock}'s {@code nanoTime}: after now and at most a period
     * away, on the clock's wall-clock grid ({@link Clock#wallOffsetNanos}).
     */
    public long nextPoint(Clock clock) {
        long wallNanos = clock.nanoTime() + clock.wallOffsetNanos();
        long periodsSince = Math.floorDiv(wallNanos - offsetNanos, periodNanos);
        return (periodsSince + 1) * periodNanos + offsetNanos - clock.wallOffsetNanos();
    }
}
