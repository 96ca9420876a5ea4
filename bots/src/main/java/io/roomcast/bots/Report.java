package io.roomcast.bots;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run measured, in the shape of the JSON report (and read by the HTML one). Times are
 * in milliseconds unless a name says otherwise; CPU in seconds, or in cores (CPU seconds per
 * second of wall time).
 *
 * <p>Threading: filled by main after the run.
 */
public final class Report {

    public String scenario;
    public String startedAt;
    public String command;
    public final Map<String, Object> parameters = new LinkedHashMap<>();
    public List<String> urls = List.of();
    public double setupSeconds;
    public double warmupSeconds;
    public double windowSeconds;
    public double drainSeconds;

    // connections
    public long targetConnections;
    public long connectedAtWindowStart;
    public long connectedAtWindowEnd;
    public long connectErrors;
    public long dropped;

    // messages of the window
    public String messageKind;
    /**
     * False for a scenario with no fixed expectation of messages (play: bots leave, rejoin and
     * drop at random): it has no expected count and no loss figure, and --max-loss does not apply.
     */
    public boolean hasExpectation = true;
    public long expected;
    public long delivered;
    public long duplicates;

    // latencies; the first is the main one (progress line, thresholds)
    public final List<LatencySummary> latencies = new ArrayList<>();
    public String coordinatedOmission;

    // scenario-specific figures
    public final Map<String, Object> results = new LinkedHashMap<>();

    // errors
    public long protocolErrors;
    public long sendErrors;
    public Map<String, Long> errorsByKind = Map.of();
    public Map<String, String> firstErrors = Map.of();

    // CPU and memory over the window
    public final List<ProcessUsage> processes = new ArrayList<>();
    public ProcessUsage bots;
    public Double machineBusyPercent;
    public int machineCores = Runtime.getRuntime().availableProcessors();
    public final Map<String, Object> generator = new LinkedHashMap<>();
    public boolean generatorSaturated;
    public final List<String> saturationReasons = new ArrayList<>();

    public final List<TimelineRow> timeline = new ArrayList<>();

    // thresholds
    public Double maxP99Ms;
    public Double maxLoss;
    public final List<String> thresholdFailures = new ArrayList<>();

    public double loss() {
        return expected <= 0 ? 0 : Math.max(0, (double) (expected - delivered) / expected);
    }

    public double deliveredPerSecond() {
        return windowSeconds <= 0 ? 0 : delivered / windowSeconds;
    }

    public double nodeCpuSeconds() {
        return processes.stream().filter(p -> !p.redis && p.cpuSeconds >= 0).mapToDouble(p -> p.cpuSeconds).sum();
    }

    public double redisCpuSeconds() {
        return processes.stream().filter(p -> p.redis && p.cpuSeconds >= 0).mapToDouble(p -> p.cpuSeconds).sum();
    }

    public boolean hasNodes() {
        return processes.stream().anyMatch(p -> !p.redis);
    }

    public boolean hasRedis() {
        return processes.stream().anyMatch(p -> p.redis);
    }

    /** µs of node CPU per delivered message (the workloads' derived figure); null without nodes. */
    public Double microsPerDelivery() {
        return hasNodes() && delivered > 0 ? nodeCpuSeconds() * 1e6 / delivered : null;
    }

    public Double microsPerDeliveryWithRedis() {
        return hasNodes() && delivered > 0 ? (nodeCpuSeconds() + redisCpuSeconds()) * 1e6 / delivered : null;
    }

    public LatencySummary main() {
        return latencies.isEmpty() ? null : latencies.getFirst();
    }

    public boolean passed() {
        return thresholdFailures.isEmpty();
    }

    // ───────────── parts ─────────────

    /** A latency histogram of the window, summarized, with its percentile curve. */
    public record LatencySummary(String name, String description, long count, double minMs, double meanMs,
                                 double p50Ms, double p90Ms, double p95Ms, double p99Ms, double p999Ms,
                                 double maxMs, long clamped, List<double[]> percentiles) {

        public static LatencySummary of(Latency latency) {
            Histogram h = latency.window();
            List<double[]> curve = new ArrayList<>();
            if (h.getTotalCount() > 0) {
                for (HistogramIterationValue v : h.percentiles(5)) {
                    double pct = v.getPercentileLevelIteratedTo();
                    curve.add(new double[] {pct, ms(v.getValueIteratedTo())});
                    if (pct >= 100.0) {
                        break;
                    }
                }
            }
            boolean any = h.getTotalCount() > 0;
            return new LatencySummary(latency.name, latency.description, h.getTotalCount(),
                    any ? ms(h.getMinValue()) : 0, any ? h.getMean() / 1000.0 : 0,
                    pct(h, 50), pct(h, 90), pct(h, 95), pct(h, 99), pct(h, 99.9),
                    any ? ms(h.getMaxValue()) : 0, latency.clamped.sum(), curve);
        }

        private static double pct(Histogram h, double p) {
            return h.getTotalCount() == 0 ? 0 : ms(h.getValueAtPercentile(p));
        }

        static double ms(long micros) {
            return micros / 1000.0;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("description", description);
            m.put("count", count);
            m.put("min_ms", round3(minMs));
            m.put("mean_ms", round3(meanMs));
            m.put("p50_ms", round3(p50Ms));
            m.put("p90_ms", round3(p90Ms));
            m.put("p95_ms", round3(p95Ms));
            m.put("p99_ms", round3(p99Ms));
            m.put("p999_ms", round3(p999Ms));
            m.put("max_ms", round3(maxMs));
            m.put("clamped", clamped);
            List<Object> points = new ArrayList<>();
            for (double[] p : percentiles) {
                points.add(new double[] {round3(p[0]), round3(p[1])});
            }
            m.put("percentile_curve", points);
            return m;
        }
    }

    /** "XNIO-1 I/O 52 % (6403 wake-ups/s), ...": a node's busiest thread pools, for people. */
    static String busiestThreads(ProcessUsage p, double windowSeconds, int limit) {
        List<String> parts = new ArrayList<>();
        for (ProcStat.ThreadGroupUse pool : p.threads.subList(0, Math.min(limit, p.threads.size()))) {
            parts.add(String.format(Locale.ROOT, "%s %.0f %% (%d wake-ups/s)", pool.name(),
                    p.cpuSeconds > 0 ? 100 * pool.cpuSeconds() / p.cpuSeconds : 0,
                    windowSeconds > 0 ? Math.round(pool.wakeUps() / windowSeconds) : 0));
        }
        return String.join(", ", parts);
    }

    /** A sampled process over the window. */
    public static final class ProcessUsage {
        public String label;
        public String pid;
        public String command;
        public boolean redis;
        public double cpuSeconds = -1;
        public long rssStartBytes = -1;
        public long rssEndBytes = -1;
        public long rssMaxBytes = -1;
        /**
         * The JVM's heap used as of its last update of the hsperfdata counters (collectors update
         * them when they collect), when the process is a JVM we can read and has updated them;
         * else null and {@link #heapNote} says why.
         */
        public Long heapUsedBytes;
        public Long heapCapacityBytes;
        /** Why there is no heap figure (null when there is one, or when the process is not a JVM we could read). */
        public String heapNote;
        public Double gcSeconds;
        public Long gcCount;
        /** A node's CPU by thread pool over the window, busiest first (empty when not read). */
        public List<ProcStat.ThreadGroupUse> threads = List.of();

        /**
         * Takes heap and GC pauses from the hsperfdata readings at the window's start and end
         * (either may be null: not a JVM, or not readable). A used heap of 0 is no figure: ZGC
         * updates the counter only when it collects, so a ZGC node that has not collected yet
         * reads 0 — reported as not measured, never as 0 MiB.
         */
        void readHeap(HsPerf.Reading begin, HsPerf.Reading end) {
            if (end == null) {
                return;
            }
            if (end.heapUsed() > 0) {
                heapUsedBytes = end.heapUsed();
                heapCapacityBytes = end.heapCapacity();
            } else {
                heapNote = end.gcPauses() == 0
                        ? "not measured: no GC yet (ZGC updates its heap counters when it collects)"
                        : "not measured: the JVM's heap counters read 0";
            }
            if (begin != null) {
                gcCount = end.gcPauses() - begin.gcPauses();
                gcSeconds = end.gcPauseSeconds() - begin.gcPauseSeconds();
            }
        }

        /** "52.3 MiB", or the note (e.g. "not measured: no GC yet ..."), or null when neither. */
        String heapText() {
            return heapUsedBytes != null ? String.format(Locale.ROOT, "%.1f MiB", heapUsedBytes / 1048576.0) : heapNote;
        }
        Map<String, Object> toJson(double windowSeconds) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", label);
            m.put("pid", pid);
            m.put("command", command);
            m.put("role", redis ? "redis" : label.equals("bots") ? "generator" : "node");
            m.put("cpu_seconds", cpuSeconds < 0 ? null : round3(cpuSeconds));
            m.put("cores", cpuSeconds < 0 || windowSeconds <= 0 ? null : round3(cpuSeconds / windowSeconds));
            m.put("rss_start_mib", mib(rssStartBytes));
            m.put("rss_end_mib", mib(rssEndBytes));
            m.put("rss_max_mib", mib(rssMaxBytes));
            if (heapUsedBytes != null) {
                m.put("heap_used_mib", mib(heapUsedBytes));
                m.put("heap_capacity_mib", heapCapacityBytes == null ? null : mib(heapCapacityBytes));
            } else if (heapNote != null) {
                m.put("heap_used_mib", null);
                m.put("heap_note", heapNote);
            }
            if (gcSeconds != null) {
                m.put("gc_pause_seconds", round3(gcSeconds));
                m.put("gc_pauses", gcCount);
            }
            if (!threads.isEmpty()) {
                List<Object> pools = new ArrayList<>();
                for (ProcStat.ThreadGroupUse pool : threads) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("threads", pool.name());
                    row.put("cpu_seconds", round3(pool.cpuSeconds()));
                    row.put("share", cpuSeconds > 0 ? round3(pool.cpuSeconds() / cpuSeconds) : null);
                    row.put("wake_ups_per_s", windowSeconds > 0 ? Math.round(pool.wakeUps() / windowSeconds) : null);
                    pools.add(row);
                }
                m.put("cpu_by_threads", pools);
            }
            return m;
        }
    }

    /** One second of the run. {@code t} counts from the start of the load (setup is negative). */
    public record TimelineRow(double t, String phase, long connected, long sentPerSecond, long receivedPerSecond,
                              double p50Ms, double p99Ms, double maxMs, long errors, Double botsCores,
                              Double nodeCores, Double redisCores, Double machineBusyPercent) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", round3(t));
            m.put("phase", phase);
            m.put("connected", connected);
            m.put("sent_per_s", sentPerSecond);
            m.put("received_per_s", receivedPerSecond);
            m.put("p50_ms", round3(p50Ms));
            m.put("p99_ms", round3(p99Ms));
            m.put("max_ms", round3(maxMs));
            m.put("errors", errors);
            m.put("bots_cores", botsCores == null ? null : round3(botsCores));
            m.put("node_cores", nodeCores == null ? null : round3(nodeCores));
            m.put("redis_cores", redisCores == null ? null : round3(redisCores));
            m.put("machine_busy_pct", machineBusyPercent == null ? null : round3(machineBusyPercent));
            return m;
        }
    }

    // ───────────── JSON ─────────────

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tool", "roomcast-bots");
        m.put("scenario", scenario);
        m.put("started_at", startedAt);
        m.put("command", command);
        m.put("parameters", parameters);
        m.put("urls", urls);
        Map<String, Object> phases = new LinkedHashMap<>();
        phases.put("setup_s", round3(setupSeconds));
        phases.put("warmup_s", round3(warmupSeconds));
        phases.put("window_s", round3(windowSeconds));
        phases.put("drain_s", round3(drainSeconds));
        m.put("phases", phases);

        Map<String, Object> conn = new LinkedHashMap<>();
        conn.put("target", targetConnections);
        conn.put("connected_at_window_start", connectedAtWindowStart);
        conn.put("connected_at_window_end", connectedAtWindowEnd);
        conn.put("connect_errors", connectErrors);
        conn.put("dropped", dropped);
        m.put("connections", conn);

        Map<String, Object> msgs = new LinkedHashMap<>();
        msgs.put("kind", messageKind);
        msgs.put("expected", hasExpectation ? expected : null);
        msgs.put("delivered", delivered);
        msgs.put("lost", hasExpectation ? Math.max(0, expected - delivered) : null);
        msgs.put("loss", hasExpectation ? round6(loss()) : null);
        msgs.put("delivered_per_s", round3(deliveredPerSecond()));
        msgs.put("duplicates", duplicates);
        m.put("messages", msgs);

        m.put("coordinated_omission", coordinatedOmission);
        List<Object> lat = new ArrayList<>();
        latencies.forEach(l -> lat.add(l.toJson()));
        m.put("latencies", lat);
        m.put("results", results);

        Map<String, Object> errors = new LinkedHashMap<>();
        errors.put("connect", connectErrors);
        errors.put("protocol", protocolErrors);
        errors.put("dropped", dropped);
        errors.put("send", sendErrors);
        errors.put("by_kind", errorsByKind);
        errors.put("first_of_kind", firstErrors);
        m.put("errors", errors);

        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("machine_cores", machineCores);
        cpu.put("machine_busy_pct", machineBusyPercent == null ? null : round3(machineBusyPercent));
        List<Object> procs = new ArrayList<>();
        processes.forEach(p -> procs.add(p.toJson(windowSeconds)));
        cpu.put("servers", procs);
        cpu.put("node_cpu_seconds", hasNodes() ? round3(nodeCpuSeconds()) : null);
        cpu.put("node_cores", hasNodes() && windowSeconds > 0 ? round3(nodeCpuSeconds() / windowSeconds) : null);
        cpu.put("redis_cpu_seconds", hasRedis() ? round3(redisCpuSeconds()) : null);
        cpu.put("us_node_cpu_per_delivery", microsPerDelivery() == null ? null : round3(microsPerDelivery()));
        cpu.put("us_node_and_redis_cpu_per_delivery", microsPerDeliveryWithRedis() == null || !hasRedis() ? null
                : round3(microsPerDeliveryWithRedis()));
        cpu.put("bots", bots == null ? null : bots.toJson(windowSeconds));
        m.put("cpu", cpu);

        Map<String, Object> gen = new LinkedHashMap<>(generator);
        gen.put("saturated", generatorSaturated);
        gen.put("reasons", saturationReasons);
        m.put("generator", gen);

        Map<String, Object> thresholds = new LinkedHashMap<>();
        thresholds.put("max_p99_ms", maxP99Ms);
        thresholds.put("max_loss", maxLoss);
        thresholds.put("passed", passed());
        thresholds.put("failures", thresholdFailures);
        m.put("thresholds", thresholds);

        List<Object> rows = new ArrayList<>();
        timeline.forEach(r -> rows.add(r.toJson()));
        m.put("timeline", rows);
        return m;
    }

    static Double mib(long bytes) {
        return bytes < 0 ? null : round3(bytes / 1048576.0);
    }

    static double round3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    static double round6(double v) {
        return Math.round(v * 1_000_000.0) / 1_000_000.0;
    }
}
