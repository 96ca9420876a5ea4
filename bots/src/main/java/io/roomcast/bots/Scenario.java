package io.roomcast.bots;

import java.util.Collection;
import java.util.List;

/**
 * A workload the {@link Engine} runs: it connects and seats its bots, drives the load, and
 * says what it measured.
 *
 * <p>Threading: {@link #setup}, {@link #startLoad}, {@link #stopLoad} and {@link #report} are
 * called by main, in that order; the bots' callbacks run on the transport's threads.
 */
public interface Scenario {

    String name();

    /** The connections the scenario opens. */
    int targetConnections();

    /** What the scenario's parameters were, for the report. */
    void describe(Report report);

    /**
     * Connects and seats every bot (ramped), returning when all are seated or failed. Throws
     * {@link Engine.RunFailure} when the run cannot go on (no bot could be seated).
     */
    void setup(Engine engine) throws InterruptedException;

    /** Starts the timed sends; {@code startNanos} is the load's start on {@link System#nanoTime()}. */
    void startLoad(long startNanos);

    void stopLoad();

    Collection<? extends Bot> bots();

    /** The latencies measured; the first is the main one (progress line, --max-p99-ms). */
    List<Latency> latencies();

    /** How the latencies handle coordinated omission, for the report. */
    String coordinatedOmission();

    /** Fills the messages expected/delivered and the scenario's own results. */
    void report(Report report);
}
