package io.roomcast.bots;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** The few lines printed at the end of a run (stdout); the reports have everything. */
final class Summary {

    private Summary() {}

    static void print(Report r, PrintWriter out) {
        out.printf(Locale.ROOT, "%n== roomcast-bots %s: %s%n", r.scenario, r.parameters);
        out.printf(Locale.ROOT, "phases     setup %.1f s, warm-up %.1f s, window %.1f s, drain %.1f s%n",
                r.setupSeconds, r.warmupSeconds, r.windowSeconds, r.drainSeconds);
        out.printf(Locale.ROOT, "connected  %d/%d at window start, %d at its end; connect errors %d, dropped %d%n",
                r.connectedAtWindowStart, r.targetConnections, r.connectedAtWindowEnd, r.connectErrors, r.dropped);
        if (r.hasExpectation) {
            out.printf(Locale.ROOT, "messages   expected %d, delivered %d, loss %.4f%%, %.1f delivered/s%s%n",
                    r.expected, r.delivered, r.loss() * 100, r.deliveredPerSecond(),
                    r.duplicates > 0 ? ", duplicates " + r.duplicates : "");
        } else {
            out.printf(Locale.ROOT, "messages   delivered %d, %.1f delivered/s (%s)%s%n",
                    r.delivered, r.deliveredPerSecond(), r.messageKind,
                    r.duplicates > 0 ? ", duplicates " + r.duplicates : "");
        }
        for (Report.LatencySummary l : r.latencies) {
            // Out of range is mostly below 0: a latency against a server timestamp when the wall
            // clock stepped during the run (the bots keep the clock they started with).
            out.printf(Locale.ROOT, "latency    %-28s p50 %8.2f  p95 %8.2f  p99 %8.2f  max %8.2f ms  (n=%d)%s%n",
                    l.name(), l.p50Ms(), l.p95Ms(), l.p99Ms(), l.maxMs(), l.count(),
                    l.clamped() > 0 ? "  " + l.clamped() + " out of range (below 0: the clocks disagree)" : "");
        }
        for (Map.Entry<String, Object> e : r.results.entrySet()) {
            if (!(e.getValue() instanceof Map) && !e.getKey().equals("note")) {
                out.printf(Locale.ROOT, "result     %s = %s%n", e.getKey(), e.getValue());
            }
        }
        out.printf(Locale.ROOT, "errors     connect %d, protocol %d, dropped %d, send %d%s%n",
                r.connectErrors, r.protocolErrors, r.dropped, r.sendErrors,
                r.errorsByKind.isEmpty() ? "" : "  " + r.errorsByKind);
        for (Report.ProcessUsage p : r.processes) {
            out.printf(Locale.ROOT, "server     %-14s pid %-7s cpu %7.3f s (%.2f cores)  rss max %s MiB%s%n",
                    p.label, p.pid, p.cpuSeconds, r.windowSeconds > 0 ? p.cpuSeconds / r.windowSeconds : 0,
                    Report.mib(p.rssMaxBytes),
                    p.heapText() == null ? "" : String.format(Locale.ROOT, "  heap %s%s", p.heapText(),
                            p.gcCount == null ? "" : String.format(Locale.ROOT, ", gc pauses %d (%.3f s)", p.gcCount, p.gcSeconds)));
            if (!p.threads.isEmpty()) {
                out.printf(Locale.ROOT, "           by threads: %s%n", Report.busiestThreads(p, r.windowSeconds, 5));
            }
        }
        if (r.microsPerDelivery() != null) {
            out.printf(Locale.ROOT, "derived    %.2f us of node CPU per delivered message (%.2f with Redis); nodes %.2f cores%n",
                    r.microsPerDelivery(), r.microsPerDeliveryWithRedis(), r.nodeCpuSeconds() / r.windowSeconds);
        }
        if (r.bots != null) {
            out.printf(Locale.ROOT, "generator  cpu %.3f s (%.2f cores), machine busy %s, saturated: %s%s%n",
                    r.bots.cpuSeconds, r.bots.cpuSeconds / r.windowSeconds,
                    r.machineBusyPercent == null ? "?" : String.format(Locale.ROOT, "%.0f%%", r.machineBusyPercent),
                    r.generatorSaturated ? "YES" : "no",
                    r.saturationReasons.isEmpty() ? "" : " (" + String.join("; ", r.saturationReasons) + ")");
        }
        if (r.generator.get("warnings") instanceof java.util.List<?> warnings) {
            warnings.forEach(w -> out.printf(Locale.ROOT, "generator  warning: %s%n", w));
        }
        if (r.generator.get("burst_read_ms_estimate") != null) {
            out.printf(Locale.ROOT, "generator  reads %s us per message: a burst of one message per subscriber takes ~%s ms to read%n",
                    r.generator.get("receive_threads_us_per_message"), r.generator.get("burst_read_ms_estimate"));
        }
        out.printf(Locale.ROOT, "thresholds %s%n", r.passed() ? "passed" : "FAILED: " + String.join("; ", r.thresholdFailures));
    }
}
