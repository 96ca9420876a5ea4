package io.roomcast.bots;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU time and RSS of a process, and the machine's busy time, from Linux's {@code /proc}:
 * {@code /proc/PID/stat} fields 14 and 15 (utime + stime, in clock ticks of 1/100 s, the
 * USER_HZ of every Linux build that matters) and 24 (RSS in pages of 4 KiB); {@code /proc/stat}
 * for the whole machine; {@code /proc/PID/task/TID/stat} and {@code status} per thread. Where
 * there is no {@code /proc}, every reading is -1 (or empty).
 */
public final class ProcStat {

    public static final double CLK_TCK = 100.0;
    public static final long PAGE_BYTES = 4096;

    private ProcStat() {}

    /** One reading of a process: CPU seconds so far, resident bytes; -1 when it is gone. */
    public record Sample(double cpuSeconds, long rssBytes) {
        static final Sample GONE = new Sample(-1, -1);
    }

    /** Reads {@code /proc/<pid>/stat} ("self" for this JVM). */
    public static Sample sample(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            long rssPages = Long.parseLong(f[21]);
            return new Sample((utime + stime) / CLK_TCK, rssPages * PAGE_BYTES);
        } catch (IOException | RuntimeException e) {
            return Sample.GONE;
        }
    }

    /** One thread's CPU seconds so far and its voluntary context switches (each a sleep and a wake-up). */
    public record ThreadSample(String name, double cpuSeconds, long wakeUps) {}

    /** A pool of threads over an interval: CPU seconds and wake-ups, summed. */
    public record ThreadGroupUse(String name, double cpuSeconds, long wakeUps) {}

    private static final Pattern WAKE_UPS = Pattern.compile("(?m)^voluntary_ctxt_switches:\\s+(\\d+)");
    /** The number (and separator) that tells the threads of one pool apart: "XNIO-1 I/O-2", "ZWorkerYoung#0". */
    private static final Pattern POOL_INDEX = Pattern.compile("[-#_ ]*\\d+$");

    /** Every thread of a process by thread id; empty when the process is gone or there is no /proc. */
    public static Map<String, ThreadSample> threads(String pid) {
        Map<String, ThreadSample> threads = new HashMap<>();
        Path tasks = Path.of("/proc", pid, "task");
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : list.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
                    Matcher m = WAKE_UPS.matcher(Files.readString(task.resolve("status"), StandardCharsets.US_ASCII));
                    long wakeUps = m.find() ? Long.parseLong(m.group(1)) : 0;
                    threads.put(task.getFileName().toString(), new ThreadSample(name, cpu, wakeUps));
                } catch (IOException | RuntimeException threadEnded) {
                    // a thread that ended between the listing and the read: it has nothing more to count
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return threads;
    }

    /**
     * What each pool of threads used between two readings of {@link #threads}, busiest first.
     * Threads are matched by id (one started in between counts from zero, one that ended is left
     * out) and grouped by name without the pool index.
     */
    public static List<ThreadGroupUse> threadGroups(Map<String, ThreadSample> before, Map<String, ThreadSample> after) {
        Map<String, double[]> groups = new LinkedHashMap<>();
        for (Map.Entry<String, ThreadSample> e : after.entrySet()) {
            ThreadSample end = e.getValue();
            ThreadSample start = before.getOrDefault(e.getKey(), new ThreadSample(end.name(), 0, 0));
            double[] sum = groups.computeIfAbsent(poolName(end.name()), k -> new double[2]);
            sum[0] += end.cpuSeconds() - start.cpuSeconds();
            sum[1] += end.wakeUps() - start.wakeUps();
        }
        List<ThreadGroupUse> use = new ArrayList<>();
        groups.forEach((name, sum) -> use.add(new ThreadGroupUse(name, sum[0], (long) sum[1])));
        use.sort((a, b) -> Double.compare(b.cpuSeconds(), a.cpuSeconds()));
        return use;
    }

    static String poolName(String threadName) {
        String pool = POOL_INDEX.matcher(threadName).replaceFirst("");
        return pool.isEmpty() ? threadName : pool;
    }

    /** The command name of a process ({@code /proc/PID/comm}), or "" if unknown. */
    public static String comm(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid, "comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The machine's CPU time so far, in ticks: {busy, total}; {-1, -1} without /proc. */
    public static long[] machine() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).getFirst();
            String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }
}
