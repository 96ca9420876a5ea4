package io.roomcast.bots;

import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One run of a scenario: the options, the shared transport and clock, the phase boundaries
 * and the counters every bot writes to.
 *
 * <p>Phases, in wall-clock microseconds: setup (connect and seat every bot, ramped), then the
 * load starts: warm-up, the measurement window {@code [windowStart, windowEnd)}, drain (the
 * load goes on so late messages of the window can arrive; nothing sent in it is measured),
 * stop. A message belongs to the window by the time it was (meant to be) sent.
 *
 * <p>Threading: the phase fields are written by main before the load starts and read by every
 * thread; counters are {@link LongAdder}s.
 */
public final class Run {

    public final RunOptions options;
    public final WallClock clock = new WallClock();
    public final Transport transport;
    public final PrintStream err;
    public final List<URI> urls;

    volatile long loadStartMicros = Long.MAX_VALUE;
    volatile long windowStartMicros = Long.MAX_VALUE;
    volatile long windowEndMicros = Long.MAX_VALUE;
    volatile long drainEndMicros = Long.MAX_VALUE;

    /** Bots welcomed and not closed. */
    public final LongAdder connected = new LongAdder();
    public final LongAdder connectErrors = new LongAdder();
    /** Error frames, undecodable frames, unexpected frames. */
    public final LongAdder protocolErrors = new LongAdder();
    /** Sockets the server (or the network) closed while we did not ask. */
    public final LongAdder dropped = new LongAdder();
    public final LongAdder sendErrors = new LongAdder();
    /** Frames sent by the scenario's load (emits, inputs), for the live rate. */
    public final LongAdder sent = new LongAdder();
    /** Measured messages received (events, states), for the live rate. */
    public final LongAdder received = new LongAdder();
    private final Map<String, LongAdder> errorsByKind = new ConcurrentHashMap<>();
    private final Map<String, String> firstErrorByKind = new ConcurrentHashMap<>();

    public Run(RunOptions options, Transport transport, PrintStream err) {
        this.options = options;
        this.transport = transport;
        this.err = err;
        this.urls = options.uris();
    }

    /** The node URL of client {@code i}: client i talks to node i mod N. */
    public URI url(int i) {
        return urls.get(Math.floorMod(i, urls.size()));
    }

    public boolean inWindow(long micros) {
        return micros >= windowStartMicros && micros < windowEndMicros;
    }

    public boolean loadStarted() {
        return loadStartMicros != Long.MAX_VALUE;
    }

    void phases(long loadStart, long warmupMicros, long durationMicros, long drainMicros) {
        windowStartMicros = loadStart + warmupMicros;
        windowEndMicros = windowStartMicros + durationMicros;
        drainEndMicros = windowEndMicros + drainMicros;
        loadStartMicros = loadStart;
    }

    /** Counts an error of a kind ("connect: connection refused", "error frame: ROOM_FULL", ...). */
    public void error(LongAdder counter, String kind, String detail) {
        counter.increment();
        errorsByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (detail != null) {
            firstErrorByKind.putIfAbsent(kind, detail);
        }
    }

    public Map<String, Long> errorsByKind() {
        Map<String, Long> out = new TreeMap<>();
        errorsByKind.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public Map<String, String> firstErrors() {
        return new TreeMap<>(firstErrorByKind);
    }

    public long errorTotal() {
        return connectErrors.sum() + protocolErrors.sum() + dropped.sum() + sendErrors.sum();
    }
}
