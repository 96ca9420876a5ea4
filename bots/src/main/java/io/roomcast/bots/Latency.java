package io.roomcast.bots;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.LongAdder;

/**
 * One latency measure, in microseconds, recorded twice: into a <em>live</em> recorder that
 * the once-a-second progress line drains (every value, whatever the phase), and into a
 * <em>window</em> recorder for the values that belong to the measurement window. Recording is
 * wait-free and allocation-free (HdrHistogram's {@link Recorder}); values outside
 * 0..{@link #HIGHEST_MICROS} are clamped and counted.
 *
 * <p>Threading: {@link #record} from any thread; {@link #drainLive}, {@link #drainWindow}
 * and {@link #window()} from the one thread that reports (the progress ticker, then main).
 */
public final class Latency {

    /** Ten minutes: anything later is recorded as this (and counted in {@link #clamped}). */
    public static final long HIGHEST_MICROS = 600_000_000L;

    public final String name;
    public final String description;
    private final Recorder live = newRecorder();
    private final Recorder window = newRecorder();
    private final Histogram windowTotal = newHistogram();
    private Histogram liveInterval;
    private Histogram windowInterval;
    public final LongAdder clamped = new LongAdder();

    public Latency(String name, String description) {
        this.name = name;
        this.description = description;
    }

    /** Records one value; into the window histogram too when {@code inWindow}. */
    public void record(long micros, boolean inWindow) {
        if (micros < 0 || micros > HIGHEST_MICROS) {
            clamped.increment();
            micros = micros < 0 ? 0 : HIGHEST_MICROS;
        }
        live.recordValue(micros);
        if (inWindow) {
            window.recordValue(micros);
        }
    }

    /** Everything recorded since the last call (for the per-second timeline). */
    public Histogram drainLive() {
        liveInterval = live.getIntervalHistogram(liveInterval);
        return liveInterval;
    }

    /** Moves what the window recorder holds into the window total; returns that total. */
    public Histogram drainWindow() {
        windowInterval = window.getIntervalHistogram(windowInterval);
        windowTotal.add(windowInterval);
        return windowTotal;
    }

    /** The window's histogram so far (call {@link #drainWindow} first for the latest). */
    public Histogram window() {
        return windowTotal;
    }

    private static Recorder newRecorder() {
        return new Recorder(1, HIGHEST_MICROS, 3);
    }

    static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_MICROS, 3);
    }
}
