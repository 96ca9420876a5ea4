package io.roomcast.bots;

import org.HdrHistogram.Histogram;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs a {@link Scenario} through its phases — probe the targets, set up (ramped), warm up,
 * measure, drain, stop — with a progress line every second, CPU sampling of the given server
 * processes and of the generator itself, and builds the {@link Report}.
 *
 * <p>Threading: {@link #execute} runs on main; the progress ticker on its own thread.
 */
public final class Engine {

    /** A saturated generator: a thread of it busier than this share of a core. */
    static final double BUSY_THREAD = 0.90;
    /** ... or timed sends later than this at p99 (a send period at 20 Hz: the schedule is not kept). */
    static final double BEHIND_SENDS_P99_MS = 50;
    /** Timed sends later than this at p99: a warning (CPU contention at times), not saturation. */
    static final double LATE_SENDS_P99_MS = 10;
    /** A saturated machine: busier than this share of all its cores. */
    static final double BUSY_MACHINE = 0.95;

    public final Run run;
    private final Scenario scenario;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bots-progress");
        t.setDaemon(true);
        return t;
    });
    private final List<Target> targets = new ArrayList<>();
    private final Target self = new Target("bots", "self", "java (this generator)", false);
    private final List<RawRow> rows = new ArrayList<>();
    private long setupStartMicros;
    private long lastSent;
    private long lastReceived;
    private long lastTickMicros;
    private long[] lastMachine;
    private Histogram mainInterval;

    public Engine(Run run, Scenario scenario) {
        this.run = run;
        this.scenario = scenario;
        for (ServerProcess p : ServerProcess.parse(run.options.serverPids)) {
            targets.add(new Target(p.label(), p.pid(), p.command(), p.redis()));
        }
    }

    /** The run could not be carried out; the message is one line for the user. */
    public static final class RunFailure extends RuntimeException {
        public RunFailure(String message) {
            super(message, null, false, false);
        }
    }

    // ───────────── the run ─────────────

    public Report execute() throws InterruptedException {
        Report report = new Report();
        report.scenario = scenario.name();
        report.startedAt = Instant.now().toString();
        report.urls = run.urls.stream().map(URI::toString).toList();
        report.targetConnections = scenario.targetConnections();
        scenario.describe(report);

        probe();
        setupStartMicros = run.clock.micros();
        lastTickMicros = setupStartMicros;
        lastMachine = ProcStat.machine();
        sampleTargets(setupStartMicros, false);
        ScheduledFuture<?> progress = ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        try {
            scenario.setup(this);
            long startNanos = System.nanoTime();
            long start = run.clock.microsAt(startNanos);
            run.phases(start, micros(run.options.warmup), micros(run.options.duration), micros(run.options.drain));
            report.setupSeconds = (start - setupStartMicros) / 1e6;
            report.warmupSeconds = run.options.warmup.toMillis() / 1000.0;
            report.windowSeconds = run.options.duration.toMillis() / 1000.0;
            report.drainSeconds = run.options.drain.toMillis() / 1000.0;
            scenario.startLoad(startNanos);

            sleepUntil(run.windowStartMicros);
            WindowMark begin = mark();
            report.connectedAtWindowStart = run.connected.sum();
            sleepUntil(run.windowEndMicros);
            WindowMark end = mark();
            report.connectedAtWindowEnd = run.connected.sum();
            sleepUntil(run.drainEndMicros);
            scenario.stopLoad();
            window(report, begin, end);
        } finally {
            progress.cancel(false);
            ticker.shutdown();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
            closeAll();
        }

        for (Latency latency : scenario.latencies()) {
            latency.drainWindow();
            report.latencies.add(Report.LatencySummary.of(latency));
        }
        report.coordinatedOmission = scenario.coordinatedOmission();
        scenario.report(report);
        report.connectErrors = run.connectErrors.sum();
        report.dropped = run.dropped.sum();
        report.protocolErrors = run.protocolErrors.sum();
        report.sendErrors = run.sendErrors.sum();
        report.errorsByKind = run.errorsByKind();
        report.firstErrors = run.firstErrors();
        timeline(report);
        generatorVerdict(report);
        thresholds(report);
        return report;
    }

    /** One WebSocket per distinct target first: a target that is down is one clear error. */
    private void probe() throws InterruptedException {
        for (URI uri : new LinkedHashSet<>(run.urls)) {
            CompletableFuture<WebSocket> ws = run.transport.connect(0, uri, run.options.connectTimeout, new WebSocket.Listener() {});
            try {
                ws.get(run.options.connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS).abort();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                String why = Bot.describe(e);
                throw new RunFailure("cannot connect to " + uri + ": " + why
                        + (why.equals("connection refused") ? " (is the node running on that port?)" : ""));
            }
        }
    }

    /**
     * Starts {@code n} things at {@code --ramp-per-second}: {@code start.apply(i)} for i = 0..n-1.
     * Returns one future per index, completing when that start's own future does.
     */
    public List<CompletableFuture<?>> ramp(int n, IntFunction<CompletableFuture<?>> start) {
        List<CompletableFuture<?>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new CompletableFuture<>());
        }
        if (n == 0) {
            return out;
        }
        long t0 = System.nanoTime();
        double rate = run.options.rampPerSecond;
        AtomicInteger next = new AtomicInteger();
        AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
        Runnable step = () -> {
            long due = Math.min(n, (long) ((System.nanoTime() - t0) / 1e9 * rate) + 1);
            while (next.get() < due) {
                int i = next.getAndIncrement();
                @SuppressWarnings("unchecked")
                CompletableFuture<Object> slot = (CompletableFuture<Object>) out.get(i);
                try {
                    start.apply(i).whenComplete((v, t) -> {
                        if (t != null) {
                            slot.completeExceptionally(t);
                        } else {
                            slot.complete(v);
                        }
                    });
                } catch (RuntimeException e) {
                    slot.completeExceptionally(e);
                }
            }
            if (next.get() >= n && self.get() != null) {
                self.get().cancel(false);
            }
        };
        self.set(run.transport.timer.scheduleAtFixedRate(step, 0, 5, TimeUnit.MILLISECONDS));
        if (next.get() >= n) {
            self.get().cancel(false);
        }
        return out;
    }

    /** Waits until every future is done (normally or not) or the setup deadline passes. */
    public void awaitAll(List<? extends CompletableFuture<?>> futures) throws InterruptedException {
        long deadline = setupStartMicros + micros(run.options.setupTimeout);
        for (CompletableFuture<?> f : futures) {
            long left = deadline - run.clock.micros();
            if (left <= 0) {
                return;
            }
            try {
                f.get(left, TimeUnit.MICROSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // counted by whoever failed; a timeout ends the wait for this one only
            }
        }
    }

    /** The deadline of the setup, for scenarios that wait on their own. */
    public long setupDeadlineMicros() {
        return setupStartMicros + micros(run.options.setupTimeout);
    }

    private void closeAll() throws InterruptedException {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (Bot bot : scenario.bots()) {
            bot.close();
            closed.add(bot.closedFuture());
        }
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(3, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // whatever did not close in time is aborted
        }
        for (Bot bot : scenario.bots()) {
            if (!bot.closedFuture().isDone()) {
                bot.abort();
            }
        }
    }

    // ───────────── the progress line and the timeline ─────────────

    private record RawRow(long micros, String phase, long connected, long sent, long received, double p50, double p99,
                          double max, long errors, Double bots, Double nodes, Double redis, Double machine) {}

    private void tick() {
        try {
            long now = run.clock.micros();
            double seconds = Math.max(1e-3, (now - lastTickMicros) / 1e6);
            lastTickMicros = now;
            long sent = run.sent.sum();
            long received = run.received.sum();
            long sentRate = Math.round((sent - lastSent) / seconds);
            long receivedRate = Math.round((received - lastReceived) / seconds);
            lastSent = sent;
            lastReceived = received;
            Latency main = scenario.latencies().getFirst();
            mainInterval = main.drainLive();
            Histogram window = main.drainWindow();
            String phase = phase(now);
            Map<Target, Double> cores = sampleTargets(now, phase.equals("window"));
            long[] machine = ProcStat.machine();
            Double machineBusy = null;
            if (machine[1] > lastMachine[1] && lastMachine[1] >= 0) {
                machineBusy = 100.0 * (machine[0] - lastMachine[0]) / (machine[1] - lastMachine[1]);
            }
            lastMachine = machine;
            Double nodes = sum(cores, false);
            Double redis = sum(cores, true);
            long errors = run.errorTotal();
            synchronized (rows) {
                rows.add(new RawRow(now, phase, run.connected.sum(), sentRate, receivedRate,
                        ms(mainInterval, 50), ms(mainInterval, 99), mainInterval.getTotalCount() == 0 ? 0 : mainInterval.getMaxValue() / 1000.0,
                        errors, cores.get(self), nodes, redis, machineBusy));
            }
            if (run.options.progress) {
                Histogram shown = phase.equals("window") || phase.equals("drain") ? window : mainInterval;
                String which = phase.equals("window") || phase.equals("drain") ? "window so far" : "last second";
                run.err.printf(Locale.ROOT, "[%s %-6s %s] conn %d/%d | sent %d/s recv %d/s | %s p50 %.2f p99 %.2f ms (%s) | errors %d%s%n",
                        scenario.name(), phase, clockText(now, phase), run.connected.sum(), scenario.targetConnections(),
                        sentRate, receivedRate, main.name, ms(shown, 50), ms(shown, 99), which, errors,
                        cores.get(self) == null ? "" : String.format(Locale.ROOT, " | bots %.2f cores", cores.get(self)));
            }
        } catch (RuntimeException e) {
            run.err.println("roomcast-bots: progress: " + e);
        }
    }

    private String phase(long now) {
        if (!run.loadStarted()) {
            return "setup";
        }
        if (now < run.windowStartMicros) {
            return "warmup";
        }
        if (now < run.windowEndMicros) {
            return "window";
        }
        return now < run.drainEndMicros ? "drain" : "stop";
    }

    private String clockText(long now, String phase) {
        return switch (phase) {
            case "setup" -> String.format(Locale.ROOT, "%.0fs", (now - setupStartMicros) / 1e6);
            case "warmup" -> String.format(Locale.ROOT, "%.0f/%ds", (now - run.loadStartMicros) / 1e6, run.options.warmup.toSeconds());
            case "window" -> String.format(Locale.ROOT, "%.0f/%ds", (now - run.windowStartMicros) / 1e6, run.options.duration.toSeconds());
            default -> String.format(Locale.ROOT, "%.0fs", (now - run.windowEndMicros) / 1e6);
        };
    }

    private void timeline(Report report) {
        synchronized (rows) {
            for (RawRow r : rows) {
                report.timeline.add(new Report.TimelineRow((r.micros - run.loadStartMicros) / 1e6, r.phase, r.connected,
                        r.sent, r.received, r.p50, r.p99, r.max, r.errors, r.bots, r.nodes, r.redis, r.machine));
            }
        }
    }

    // ───────────── CPU, memory, the generator's health ─────────────

    private static final class Target {
        final String label;
        final String pid;
        final String command;
        final boolean redis;
        double lastCpu = -1;
        long lastMicros;
        volatile long rssMax = -1;

        Target(String label, String pid, String command, boolean redis) {
            this.label = label;
            this.pid = pid;
            this.command = command;
            this.redis = redis;
        }
    }

    /** Samples every process; returns each one's cores since the last sample. */
    private Map<Target, Double> sampleTargets(long now, boolean inWindow) {
        Map<Target, Double> cores = new HashMap<>();
        List<Target> all = new ArrayList<>(targets);
        all.add(self);
        for (Target t : all) {
            ProcStat.Sample s = ProcStat.sample(t.pid);
            if (s.cpuSeconds() >= 0 && t.lastCpu >= 0 && now > t.lastMicros) {
                cores.put(t, (s.cpuSeconds() - t.lastCpu) / ((now - t.lastMicros) / 1e6));
            }
            if (s.cpuSeconds() >= 0) {
                t.lastCpu = s.cpuSeconds();
                t.lastMicros = now;
            }
            if (inWindow && s.rssBytes() > t.rssMax) {
                t.rssMax = s.rssBytes();
            }
        }
        return cores;
    }

    private Double sum(Map<Target, Double> cores, boolean redis) {
        Double total = null;
        for (Target t : targets) {
            Double c = cores.get(t);
            if (t.redis == redis && c != null) {
                total = (total == null ? 0 : total) + c;
            }
        }
        return total;
    }

    private record WindowMark(long micros, Map<Target, ProcStat.Sample> samples, Map<Target, HsPerf.Reading> perf,
                              Map<Target, Map<String, ProcStat.ThreadSample>> serverThreads, long[] machine,
                              Map<Long, Long> threadCpu, Map<Long, String> threadNames,
                              long gcCount, long gcMillis, long received) {}

    private WindowMark mark() {
        long now = run.clock.micros();
        Map<Target, ProcStat.Sample> samples = new HashMap<>();
        Map<Target, HsPerf.Reading> perf = new HashMap<>();
        Map<Target, Map<String, ProcStat.ThreadSample>> serverThreads = new HashMap<>();
        List<Target> all = new ArrayList<>(targets);
        all.add(self);
        for (Target t : all) {
            samples.put(t, ProcStat.sample(t.pid));
            if (t != self && !t.redis) {
                HsPerf.read(t.pid).ifPresent(r -> perf.put(t, r));
                serverThreads.put(t, ProcStat.threads(t.pid));
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        if (threads.isThreadCpuTimeSupported()) {
            for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null) {
                    long t = threads.getThreadCpuTime(info.getThreadId());
                    if (t >= 0) {
                        cpu.put(info.getThreadId(), t);
                        names.put(info.getThreadId(), info.getThreadName());
                    }
                }
            }
        }
        // Pauses only: ZGC has beans for its pauses and for its (concurrent) cycles; G1 for its
        // young and old pauses and for its concurrent cycle.
        List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        boolean pauseBeans = beans.stream().anyMatch(b -> b.getName().contains("Pauses"));
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : beans) {
            String name = gc.getName();
            boolean pause = pauseBeans ? name.contains("Pauses") : !name.contains("Concurrent") && !name.contains("Cycles");
            if (pause) {
                gcCount += Math.max(0, gc.getCollectionCount());
                gcMillis += Math.max(0, gc.getCollectionTime());
            }
        }
        return new WindowMark(now, samples, perf, serverThreads, ProcStat.machine(), cpu, names, gcCount, gcMillis, run.received.sum());
    }

    private void window(Report report, WindowMark begin, WindowMark end) {
        double wall = (end.micros - begin.micros) / 1e6;
        for (Target t : targets) {
            report.processes.add(usage(t, begin, end));
        }
        report.bots = usage(self, begin, end);
        if (begin.machine[1] >= 0 && end.machine[1] > begin.machine[1]) {
            report.machineBusyPercent = 100.0 * (end.machine[0] - begin.machine[0]) / (end.machine[1] - begin.machine[1]);
        }
        List<Map<String, Object>> busiest = new ArrayList<>();
        end.threadCpu.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - begin.threadCpu.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
                .limit(6)
                .forEach(e -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("thread", end.threadNames.get(e.getKey()));
                    m.put("core_share", Report.round3(e.getValue() / 1e9 / wall));
                    busiest.add(m);
                });
        report.generator.put("clients", run.options.clients);
        report.generator.put("timer_threads", run.options.timerThreads);
        report.generator.put("cores", report.bots.cpuSeconds < 0 ? null : Report.round3(report.bots.cpuSeconds / wall));
        report.generator.put("busiest_threads", busiest);
        long receiveNanos = 0;
        for (Map.Entry<Long, Long> e : end.threadCpu.entrySet()) {
            String name = end.threadNames.get(e.getKey());
            if (name != null && name.startsWith("bots-socket-")) {
                receiveNanos += e.getValue() - begin.threadCpu.getOrDefault(e.getKey(), 0L);
            }
        }
        long received = end.received - begin.received;
        report.generator.put("receive_threads_us_per_message", received == 0 ? null
                : Report.round3(receiveNanos / 1000.0 / received));
        report.generator.put("gc_pauses", end.gcCount - begin.gcCount);
        report.generator.put("gc_pause_seconds", Report.round3((end.gcMillis - begin.gcMillis) / 1000.0));
    }

    private Report.ProcessUsage usage(Target t, WindowMark begin, WindowMark end) {
        Report.ProcessUsage u = new Report.ProcessUsage();
        u.label = t.label;
        u.pid = t == self ? String.valueOf(ProcessHandle.current().pid()) : t.pid;
        u.command = t.command;
        u.redis = t.redis;
        ProcStat.Sample a = begin.samples.get(t);
        ProcStat.Sample b = end.samples.get(t);
        if (a.cpuSeconds() >= 0 && b.cpuSeconds() >= 0) {
            u.cpuSeconds = b.cpuSeconds() - a.cpuSeconds();
        }
        u.rssStartBytes = a.rssBytes();
        u.rssEndBytes = b.rssBytes();
        u.rssMaxBytes = Math.max(t.rssMax, Math.max(a.rssBytes(), b.rssBytes()));
        Map<String, ProcStat.ThreadSample> threadsBefore = begin.serverThreads.get(t);
        Map<String, ProcStat.ThreadSample> threadsAfter = end.serverThreads.get(t);
        if (threadsBefore != null && threadsAfter != null) {
            u.threads = ProcStat.threadGroups(threadsBefore, threadsAfter);
        }
        HsPerf.Reading pa = begin.perf.get(t);
        HsPerf.Reading pb = end.perf.get(t);
        u.readHeap(pa, pb);
        return u;
    }

    @SuppressWarnings("unchecked")
    private void generatorVerdict(Report report) {
        List<Map<String, Object>> busiest = (List<Map<String, Object>>) report.generator.getOrDefault("busiest_threads", List.of());
        for (Map<String, Object> t : busiest) {
            double share = ((Number) t.get("core_share")).doubleValue();
            if (share >= BUSY_THREAD) {
                report.saturationReasons.add(String.format(Locale.ROOT, "generator thread %s used %.0f%% of a core",
                        t.get("thread"), share * 100));
            }
        }
        List<String> warnings = new ArrayList<>();
        for (Report.LatencySummary l : report.latencies) {
            if (l.name().equals("send_lag") && l.p99Ms() > BEHIND_SENDS_P99_MS) {
                report.saturationReasons.add(String.format(Locale.ROOT,
                        "timed sends fell behind: p99 %.1f ms behind schedule", l.p99Ms()));
            } else if (l.name().equals("send_lag") && l.p99Ms() > LATE_SENDS_P99_MS) {
                warnings.add(String.format(Locale.ROOT,
                        "timed sends were late at times (p99 %.1f ms, max %.1f ms behind schedule): CPU contention; "
                                + "the main latency counts from the intended times, so it includes this", l.p99Ms(), l.maxMs()));
            }
        }
        report.generator.put("warnings", warnings);
        if (report.machineBusyPercent != null && report.machineBusyPercent >= BUSY_MACHINE * 100) {
            report.saturationReasons.add(String.format(Locale.ROOT,
                    "the machine was %.0f%% busy: generator and servers compete for the cores", report.machineBusyPercent));
        }
        report.generatorSaturated = !report.saturationReasons.isEmpty();
    }

    private void thresholds(Report report) {
        report.maxP99Ms = run.options.maxP99Ms;
        report.maxLoss = run.options.maxLoss;
        Report.LatencySummary main = report.main();
        if (run.options.maxP99Ms != null && main != null && main.p99Ms() > run.options.maxP99Ms) {
            report.thresholdFailures.add(String.format(Locale.ROOT, "%s p99 %.2f ms > --max-p99-ms %s",
                    main.name(), main.p99Ms(), fmt(run.options.maxP99Ms)));
        }
        if (run.options.maxLoss != null && report.hasExpectation && report.loss() > run.options.maxLoss) {
            report.thresholdFailures.add(String.format(Locale.ROOT, "loss %.6f > --max-loss %s",
                    report.loss(), fmt(run.options.maxLoss)));
        }
    }

    // ───────────── helpers ─────────────

    private void sleepUntil(long micros) throws InterruptedException {
        long left;
        while ((left = micros - run.clock.micros()) > 0) {
            TimeUnit.MICROSECONDS.sleep(Math.min(left, 200_000));
        }
    }

    static long micros(java.time.Duration d) {
        return d.toNanos() / 1000;
    }

    private static double ms(Histogram h, double pct) {
        return h == null || h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(pct) / 1000.0;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
