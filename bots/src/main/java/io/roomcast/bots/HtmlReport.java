package io.roomcast.bots;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The report as one self-contained HTML page: the key figures, a latency percentile plot and a
 * per-second timeline as inline SVG, and the detail tables. No script, no stylesheet or font
 * from elsewhere: it opens offline.
 */
final class HtmlReport {

    private static final String[] COLORS = {"#1f6feb", "#d9480f", "#2f9e44", "#9c36b5", "#e67700", "#0b7285", "#c2255c"};

    private HtmlReport() {}

    static String render(Report r) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>roomcast-bots ")
                .append(esc(r.scenario)).append(" report</title>\n<style>\n")
                .append("body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1b1f24;padding:0 16px}\n")
                .append("h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d0d7de;padding-bottom:4px}\n")
                .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:right;vertical-align:top}\n")
                .append("th{background:#f6f8fa}td.l,th.l{text-align:left}.muted{color:#57606a}.bad{color:#cf222e;font-weight:600}.ok{color:#1a7f37;font-weight:600}\n")
                .append(".kpi{display:inline-block;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:4px 8px 4px 0;min-width:120px}\n")
                .append(".kpi b{display:block;font-size:20px}svg{background:#fff;border:1px solid #d0d7de;border-radius:6px}\n")
                .append("code{background:#f6f8fa;padding:1px 4px;border-radius:4px}\n</style></head><body>\n");

        h.append("<h1>roomcast-bots: ").append(esc(r.scenario)).append("</h1>\n<div class=\"muted\">")
                .append(esc(r.startedAt)).append(" &middot; ").append(esc(String.valueOf(r.parameters)))
                .append("<br>targets: ").append(esc(String.join(", ", r.urls)))
                .append(r.command == null ? "" : "<br>arguments: <code>" + esc(r.command) + "</code>")
                .append("</div>\n");

        // key figures
        Report.LatencySummary main = r.main();
        h.append("<h2>Key figures (measurement window of ").append(fmt(r.windowSeconds)).append(" s)</h2>\n<div>");
        if (r.hasExpectation) {
            kpi(h, "loss", String.format(Locale.ROOT, "%.4f %%", r.loss() * 100), r.expected + " expected, " + r.delivered + " delivered");
        } else {
            kpi(h, "delivered", String.valueOf(r.delivered), "no fixed expectation: no loss figure");
        }
        kpi(h, "delivered/s", fmt(r.deliveredPerSecond()), r.messageKind);
        if (main != null) {
            kpi(h, main.name() + " p50", fmt(main.p50Ms()) + " ms", "");
            kpi(h, "p95", fmt(main.p95Ms()) + " ms", "");
            kpi(h, "p99", fmt(main.p99Ms()) + " ms", "");
            kpi(h, "max", fmt(main.maxMs()) + " ms", "");
        }
        kpi(h, "errors", String.valueOf(r.connectErrors + r.protocolErrors + r.dropped + r.sendErrors),
                "connect " + r.connectErrors + ", protocol " + r.protocolErrors + ", dropped " + r.dropped + ", send " + r.sendErrors);
        if (r.microsPerDelivery() != null) {
            kpi(h, "µs node CPU / delivery", fmt(r.microsPerDelivery()),
                    r.hasRedis() ? fmt(r.microsPerDeliveryWithRedis()) + " with Redis" : "");
            kpi(h, "node cores", fmt(r.nodeCpuSeconds() / r.windowSeconds), fmt(r.nodeCpuSeconds()) + " CPU s");
        }
        if (r.bots != null) {
            kpi(h, "generator cores", fmt(r.bots.cpuSeconds / r.windowSeconds),
                    r.generatorSaturated ? "SATURATED" : "not saturated");
        }
        h.append("</div>\n<p>Thresholds: ").append(r.passed()
                ? "<span class=\"ok\">passed</span>"
                : "<span class=\"bad\">FAILED: " + esc(String.join("; ", r.thresholdFailures)) + "</span>")
                .append(r.maxP99Ms == null && r.maxLoss == null ? " (none set)" : "").append("</p>\n");
        if (r.generatorSaturated) {
            h.append("<p class=\"bad\">The generator was saturated: ").append(esc(String.join("; ", r.saturationReasons)))
                    .append(". Latency figures include the generator's own delays.</p>\n");
        }

        if (r.generator.get("warnings") instanceof List<?> warnings && !warnings.isEmpty()) {
            for (Object w : warnings) {
                h.append("<p class=\"muted\">Generator: ").append(esc(String.valueOf(w))).append(".</p>\n");
            }
        }
        if (r.generator.get("burst_note") != null) {
            h.append("<p class=\"muted\">Generator: ").append(esc(String.valueOf(r.generator.get("burst_note")))).append(".</p>\n");
        }

        // percentile plot
        h.append("<h2>Latency by percentile (window)</h2>\n");
        percentilePlot(h, r.latencies);
        h.append("<p class=\"muted\">").append(esc(r.coordinatedOmission)).append("</p>\n");
        h.append("<table><tr><th class=\"l\">latency</th><th>count</th><th>min</th><th>mean</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max (ms)</th><th class=\"l\">what</th></tr>\n");
        for (Report.LatencySummary l : r.latencies) {
            h.append("<tr><td class=\"l\">").append(esc(l.name())).append("</td><td>").append(l.count()).append("</td>");
            for (double v : new double[] {l.minMs(), l.meanMs(), l.p50Ms(), l.p90Ms(), l.p95Ms(), l.p99Ms(), l.p999Ms(), l.maxMs()}) {
                h.append("<td>").append(fmt(v)).append("</td>");
            }
            h.append("<td class=\"l muted\">").append(esc(l.description())).append("</td></tr>\n");
        }
        h.append("</table>\n");

        // timeline
        h.append("<h2>Timeline (per second; t = 0 at the start of the load)</h2>\n");
        timelinePlot(h, r, main == null ? "latency" : main.name());
        cpuPlot(h, r);

        // results
        h.append("<h2>Messages and results</h2>\n<table>");
        row(h, "kind", r.messageKind);
        if (r.hasExpectation) {
            row(h, "expected", r.expected);
            row(h, "delivered", r.delivered);
            row(h, "lost", Math.max(0, r.expected - r.delivered));
            row(h, "loss", String.format(Locale.ROOT, "%.6f", r.loss()));
        } else {
            row(h, "delivered", r.delivered);
        }
        row(h, "delivered per second", fmt(r.deliveredPerSecond()));
        row(h, "duplicates / out of order", r.duplicates);
        for (Map.Entry<String, Object> e : r.results.entrySet()) {
            row(h, e.getKey(), e.getValue());
        }
        h.append("</table>\n");

        h.append("<h2>Connections and errors</h2>\n<table>");
        row(h, "target connections", r.targetConnections);
        row(h, "connected at window start / end", r.connectedAtWindowStart + " / " + r.connectedAtWindowEnd);
        row(h, "connect errors", r.connectErrors);
        row(h, "protocol errors", r.protocolErrors);
        row(h, "dropped by the server or network", r.dropped);
        row(h, "send errors", r.sendErrors);
        for (Map.Entry<String, Long> e : r.errorsByKind.entrySet()) {
            String first = r.firstErrors.get(e.getKey());
            row(h, e.getKey(), e.getValue() + (first == null ? "" : "  (first: " + first + ")"));
        }
        h.append("</table>\n");

        h.append("<h2>CPU and memory over the window</h2>\n<table><tr><th class=\"l\">process</th><th>pid</th><th class=\"l\">command</th>"
                + "<th>CPU s</th><th>cores</th><th>RSS start</th><th>RSS end</th><th>RSS max (MiB)</th><th>heap used (MiB)</th><th>GC pauses</th><th>GC pause s</th></tr>\n");
        List<Report.ProcessUsage> all = new ArrayList<>(r.processes);
        if (r.bots != null) {
            all.add(r.bots);
        }
        for (Report.ProcessUsage p : all) {
            h.append("<tr><td class=\"l\">").append(esc(p.label)).append("</td><td>").append(esc(p.pid)).append("</td><td class=\"l\">")
                    .append(esc(p.command)).append("</td><td>").append(fmt(p.cpuSeconds)).append("</td><td>")
                    .append(fmt(r.windowSeconds > 0 ? p.cpuSeconds / r.windowSeconds : 0)).append("</td><td>")
                    .append(mib(p.rssStartBytes)).append("</td><td>").append(mib(p.rssEndBytes)).append("</td><td>")
                    .append(mib(p.rssMaxBytes)).append("</td><td>").append(p.heapUsedBytes != null ? String.valueOf(mib(p.heapUsedBytes)) : p.heapNote == null ? "" : esc(p.heapNote))
                    .append("</td><td>").append(p.gcCount == null ? "" : p.gcCount).append("</td><td>")
                    .append(p.gcSeconds == null ? "" : fmt(p.gcSeconds)).append("</td></tr>\n");
        }
        h.append("</table>\n");
        for (Report.ProcessUsage p : r.processes) {
            if (!p.threads.isEmpty()) {
                h.append("<p>").append(esc(p.label)).append(" by threads: ")
                        .append(esc(Report.busiestThreads(p, r.windowSeconds, 8))).append("</p>\n");
            }
        }
        h.append("<p class=\"muted\">Machine: ").append(r.machineCores).append(" cores, ")
                .append(r.machineBusyPercent == null ? "busy % unknown" : fmt(r.machineBusyPercent) + " % busy over the window")
                .append(". CPU from /proc/PID/stat (utime+stime), per thread from /proc/PID/task (a wake-up is a voluntary context switch); heap and GC pauses of JVMs from their hsperfdata counters.</p>\n");

        h.append("<h2>Generator</h2>\n<table>");
        for (Map.Entry<String, Object> e : r.generator.entrySet()) {
            row(h, e.getKey(), e.getValue());
        }
        row(h, "saturated", r.generatorSaturated ? "yes: " + String.join("; ", r.saturationReasons) : "no");
        h.append("</table>\n");

        h.append("<details><summary>Timeline table</summary>\n<table><tr><th>t (s)</th><th class=\"l\">phase</th><th>connected</th>"
                + "<th>sent/s</th><th>received/s</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>errors</th>"
                + "<th>bots cores</th><th>node cores</th><th>redis cores</th><th>machine busy %</th></tr>\n");
        for (Report.TimelineRow t : r.timeline) {
            h.append("<tr><td>").append(fmt(t.t())).append("</td><td class=\"l\">").append(t.phase()).append("</td><td>")
                    .append(t.connected()).append("</td><td>").append(t.sentPerSecond()).append("</td><td>")
                    .append(t.receivedPerSecond()).append("</td><td>").append(fmt(t.p50Ms())).append("</td><td>")
                    .append(fmt(t.p99Ms())).append("</td><td>").append(fmt(t.maxMs())).append("</td><td>").append(t.errors())
                    .append("</td><td>").append(opt(t.botsCores())).append("</td><td>").append(opt(t.nodeCores()))
                    .append("</td><td>").append(opt(t.redisCores())).append("</td><td>").append(opt(t.machineBusyPercent()))
                    .append("</td></tr>\n");
        }
        h.append("</table></details>\n</body></html>\n");
        return h.toString();
    }

    // ───────────── plots ─────────────

    private static final int W = 1000;
    private static final int H = 340;
    private static final int LEFT = 70;
    private static final int RIGHT = 70;
    private static final int TOP = 20;
    private static final int BOTTOM = 62;

    /** x: percentile on a log scale of 1/(1-p) (0, 90, 99, 99.9 ... %); y: ms, linear. */
    private static void percentilePlot(StringBuilder h, List<Report.LatencySummary> latencies) {
        double maxX = 1;
        double maxY = 0;
        for (Report.LatencySummary l : latencies) {
            for (double[] p : l.percentiles()) {
                maxX = Math.max(maxX, nines(p[0]));
                maxY = Math.max(maxY, p[1]);
            }
        }
        maxX = Math.min(6, Math.ceil(maxX));
        maxY = niceCeil(maxY);
        svgOpen(h);
        double[] xTicks = new double[(int) maxX + 1];
        for (int i = 0; i <= maxX; i++) {
            xTicks[i] = i;
        }
        for (double x : xTicks) {
            double px = px(x, 0, maxX);
            h.append(line(px, TOP, px, H - BOTTOM, "#eaeef2"));
            String label = x == 0 ? "0%" : String.format(Locale.ROOT, "%s%%", trimZeros(100 - 100 / Math.pow(10, x)));
            h.append(text(px, H - BOTTOM + 18, label, "middle"));
        }
        yAxis(h, 0, maxY, "ms", LEFT, true);
        h.append(text((W + LEFT - RIGHT) / 2.0, H - 8, "percentile", "middle"));
        int c = 0;
        int legendY = TOP + 14;
        for (Report.LatencySummary l : latencies) {
            String color = COLORS[c++ % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (double[] p : l.percentiles()) {
                double x = Math.min(nines(p[0]), maxX);
                pts.append(fmt1(px(x, 0, maxX))).append(',').append(fmt1(py(p[1], 0, maxY))).append(' ');
            }
            if (!pts.isEmpty()) {
                h.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                        .append(pts).append("\"/>\n");
            }
            h.append("<rect x=\"").append(LEFT + 12).append("\" y=\"").append(legendY - 9).append("\" width=\"12\" height=\"4\" fill=\"")
                    .append(color).append("\"/>");
            h.append(text(LEFT + 30, legendY - 4, l.name() + "  (p99 " + fmt(l.p99Ms()) + " ms)", "start"));
            legendY += 16;
        }
        h.append("</svg>\n");
    }

    /** Received/s and sent/s (left axis), main latency p50/p99 of each second (right axis), phases shaded. */
    private static void timelinePlot(StringBuilder h, Report r, String latencyName) {
        List<Report.TimelineRow> rows = r.timeline;
        if (rows.isEmpty()) {
            h.append("<p class=\"muted\">(no samples)</p>\n");
            return;
        }
        double minT = Math.floor(rows.getFirst().t());
        double maxT = Math.ceil(rows.getLast().t());
        if (maxT <= minT) {
            maxT = minT + 1;
        }
        double maxRate = niceCeil(max(rows, t -> Math.max(t.receivedPerSecond(), t.sentPerSecond())));
        double maxMs = niceCeil(max(rows, Report.TimelineRow::p99Ms));
        svgOpen(h);
        shadePhases(h, r, minT, maxT);
        xAxisSeconds(h, minT, maxT);
        yAxis(h, 0, maxRate, "messages/s", LEFT, true);
        yAxis(h, 0, maxMs, "ms", W - RIGHT, false);
        series(h, rows, minT, maxT, t -> t.receivedPerSecond(), maxRate, COLORS[0], "received/s", 0);
        series(h, rows, minT, maxT, t -> t.sentPerSecond(), maxRate, COLORS[2], "sent/s", 1);
        series(h, rows, minT, maxT, Report.TimelineRow::p50Ms, maxMs, COLORS[4], latencyName + " p50 (ms, right)", 2);
        series(h, rows, minT, maxT, Report.TimelineRow::p99Ms, maxMs, COLORS[1], latencyName + " p99 (ms, right)", 3);
        h.append("</svg>\n");
    }

    private static void cpuPlot(StringBuilder h, Report r) {
        List<Report.TimelineRow> rows = r.timeline;
        if (rows.isEmpty()) {
            return;
        }
        double minT = Math.floor(rows.getFirst().t());
        double maxT = Math.max(minT + 1, Math.ceil(rows.getLast().t()));
        double maxCores = niceCeil(Math.max(1, max(rows, t -> Math.max(nz(t.botsCores()), Math.max(nz(t.nodeCores()), nz(t.redisCores()))))));
        svgOpen(h);
        shadePhases(h, r, minT, maxT);
        xAxisSeconds(h, minT, maxT);
        yAxis(h, 0, maxCores, "cores", LEFT, true);
        yAxis(h, 0, 100, "machine busy %", W - RIGHT, false);
        series(h, rows, minT, maxT, t -> nz(t.botsCores()), maxCores, COLORS[3], "generator cores", 0);
        if (rows.stream().anyMatch(t -> t.nodeCores() != null)) {
            series(h, rows, minT, maxT, t -> nz(t.nodeCores()), maxCores, COLORS[0], "node cores", 1);
        }
        if (rows.stream().anyMatch(t -> t.redisCores() != null)) {
            series(h, rows, minT, maxT, t -> nz(t.redisCores()), maxCores, COLORS[5], "redis cores", 2);
        }
        series(h, rows, minT, maxT, t -> nz(t.machineBusyPercent()), 100, "#8c959f", "machine busy % (right)", 3);
        h.append("</svg>\n");
    }

    private static void shadePhases(StringBuilder h, Report r, double minT, double maxT) {
        double[][] spans = {
                {minT, 0}, {0, r.warmupSeconds}, {r.warmupSeconds, r.warmupSeconds + r.windowSeconds},
                {r.warmupSeconds + r.windowSeconds, r.warmupSeconds + r.windowSeconds + r.drainSeconds}};
        String[] fills = {"#f6f8fa", "#fff8c5", "#dafbe1", "#ffebe9"};
        String[] names = {"setup", "warm-up", "window", "drain"};
        for (int i = 0; i < spans.length; i++) {
            double a = Math.max(minT, spans[i][0]);
            double b = Math.min(maxT, spans[i][1]);
            if (b > a) {
                double x0 = px(a, minT, maxT);
                double x1 = px(b, minT, maxT);
                h.append("<rect x=\"").append(fmt1(x0)).append("\" y=\"").append(TOP).append("\" width=\"").append(fmt1(x1 - x0))
                        .append("\" height=\"").append(H - TOP - BOTTOM).append("\" fill=\"").append(fills[i]).append("\"/>");
                h.append(text((x0 + x1) / 2, TOP + 12, names[i], "middle"));
            }
        }
    }

    private static void series(StringBuilder h, List<Report.TimelineRow> rows, double minT, double maxT,
                               ToDoubleFunction<Report.TimelineRow> f, double maxY, String color, String label, int slot) {
        StringBuilder pts = new StringBuilder();
        for (Report.TimelineRow t : rows) {
            pts.append(fmt1(px(t.t(), minT, maxT))).append(',').append(fmt1(py(f.applyAsDouble(t), 0, maxY))).append(' ');
        }
        h.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"").append(pts).append("\"/>\n");
        int lx = LEFT + 10 + slot * 215;
        h.append("<rect x=\"").append(lx).append("\" y=\"").append(H - 16).append("\" width=\"12\" height=\"4\" fill=\"").append(color).append("\"/>");
        h.append(text(lx + 16, H - 11, label, "start"));
    }

    private static void xAxisSeconds(StringBuilder h, double minT, double maxT) {
        double span = maxT - minT;
        double step = span <= 20 ? 1 : span <= 60 ? 5 : span <= 300 ? 15 : 60;
        for (double t = Math.ceil(minT / step) * step; t <= maxT; t += step) {
            double x = px(t, minT, maxT);
            h.append(line(x, H - BOTTOM, x, H - BOTTOM + 4, "#57606a"));
            h.append(text(x, H - BOTTOM + 16, fmt(t), "middle"));
        }
        h.append(text((W + LEFT - RIGHT) / 2.0, H - BOTTOM + 30, "seconds", "middle"));
    }

    private static void yAxis(StringBuilder h, double min, double max, String unit, double x, boolean left) {
        h.append(line(x, TOP, x, H - BOTTOM, "#57606a"));
        for (int i = 0; i <= 5; i++) {
            double v = min + (max - min) * i / 5;
            double y = py(v, min, max);
            if (left) {
                h.append(line(LEFT, y, W - RIGHT, y, "#eaeef2"));
            }
            h.append(text(left ? x - 6 : x + 6, y + 4, fmt(v), left ? "end" : "start"));
        }
        double ly = TOP + (H - TOP - BOTTOM) / 2.0;
        double lx = left ? 16 : W - 12;
        h.append("<text x=\"").append(fmt1(lx)).append("\" y=\"").append(fmt1(ly)).append("\" font-size=\"12\" fill=\"#57606a\" text-anchor=\"middle\" transform=\"rotate(-90 ")
                .append(fmt1(lx)).append(' ').append(fmt1(ly)).append(")\">").append(esc(unit)).append("</text>\n");
    }

    private static void svgOpen(StringBuilder h) {
        h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" width=\"100%\" style=\"max-width:").append(W).append("px\" font-family=\"system-ui,sans-serif\">\n");
    }

    private static double px(double x, double min, double max) {
        return LEFT + (x - min) / (max - min) * (W - LEFT - RIGHT);
    }

    private static double py(double y, double min, double max) {
        double v = max <= min ? 0 : (Math.min(y, max) - min) / (max - min);
        return H - BOTTOM - v * (H - TOP - BOTTOM);
    }

    /** Percentile -> "number of nines": 0 % -> 0, 90 % -> 1, 99 % -> 2 ... */
    private static double nines(double percentile) {
        double rest = 1 - percentile / 100.0;
        return rest <= 1e-6 ? 6 : Math.log10(1 / rest);
    }

    private static double niceCeil(double v) {
        if (v <= 0 || Double.isNaN(v)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static double max(List<Report.TimelineRow> rows, ToDoubleFunction<Report.TimelineRow> f) {
        return rows.stream().mapToDouble(f).max().orElse(0);
    }

    private static double nz(Double d) {
        return d == null ? 0 : d;
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return "<line x1=\"" + fmt1(x1) + "\" y1=\"" + fmt1(y1) + "\" x2=\"" + fmt1(x2) + "\" y2=\"" + fmt1(y2)
                + "\" stroke=\"" + color + "\" stroke-width=\"1\"/>\n";
    }

    private static String text(double x, double y, String s, String anchor) {
        return "<text x=\"" + fmt1(x) + "\" y=\"" + fmt1(y) + "\" font-size=\"12\" fill=\"#57606a\" text-anchor=\"" + anchor + "\">"
                + esc(s) + "</text>\n";
    }

    // ───────────── bits ─────────────

    private static void kpi(StringBuilder h, String name, String value, String note) {
        h.append("<div class=\"kpi\"><span class=\"muted\">").append(esc(name)).append("</span><b>").append(esc(value))
                .append("</b><span class=\"muted\">").append(esc(note)).append("</span></div>");
    }

    private static void row(StringBuilder h, String name, Object value) {
        h.append("<tr><th class=\"l\">").append(esc(name)).append("</th><td class=\"l\">").append(esc(String.valueOf(value)))
                .append("</td></tr>\n");
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "" : fmt(bytes / 1048576.0);
    }

    private static String opt(Double d) {
        return d == null ? "" : fmt(d);
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Math.abs(v) >= 1000 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String trimZeros(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
