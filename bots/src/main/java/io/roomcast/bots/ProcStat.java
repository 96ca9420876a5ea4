package io.roomcast.bots;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and RSS of a process, and the machine's busy time, from Linux's {@code /proc}:
 * {@code /proc/PID/stat} fields 14 and 15 (utime + stime, in clock ticks of 1/100 s, the
 * USER_HZ of every Linux build that matters) and 24 (RSS in pages of 4 KiB); {@code /proc/stat}
 * for the whole machine. Where there is no {@code /proc}, every reading is -1.
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
