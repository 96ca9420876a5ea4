package io.roomcast.bots;

/**
 * Input → visible latency of one bot: remembers when each input seq was meant to be sent and
 * was sent, and when a state echoes an applied seq ≥ n, records the latency of every input up
 * to it that was waiting (input n is visible in the first state whose applied seq for the
 * player is ≥ n).
 *
 * <p>Threading: {@link #sent} from the bot's timer task, {@link #applied} from its receive
 * callbacks; the volatile {@code lastSent} publishes the ring entries.
 */
final class InputTracker {

    /** Inputs remembered: 51 s at 20 Hz. An input older than that when seen counts as overflow. */
    static final int RING = 1024;
    private static final int MASK = RING - 1;

    private final long[] intended = new long[RING];
    private final long[] actual = new long[RING];
    private volatile long lastSent;
    private long confirmed;
    /** Inputs of the window that became visible (receive side only). */
    long visibleInWindow;
    long overflow;

    void sent(long seq, long intendedMicros, long actualMicros) {
        intended[(int) (seq & MASK)] = intendedMicros;
        actual[(int) (seq & MASK)] = actualMicros;
        lastSent = seq;
    }

    long lastSent() {
        return lastSent;
    }

    void applied(long appliedSeq, long receivedMicros, Run run, Latency fromIntended, Latency fromActual) {
        long high = Math.min(appliedSeq, lastSent);
        if (high <= confirmed) {
            return;
        }
        if (high - confirmed > RING) {
            overflow += high - confirmed - RING;
            confirmed = high - RING;
        }
        for (long seq = confirmed + 1; seq <= high; seq++) {
            long meant = intended[(int) (seq & MASK)];
            boolean inWindow = run.inWindow(meant);
            fromIntended.record(receivedMicros - meant, inWindow);
            fromActual.record(receivedMicros - actual[(int) (seq & MASK)], inWindow);
            if (inWindow) {
                visibleInWindow++;
            }
        }
        confirmed = high;
    }
}
