package io.roomcast.gateway.testing;

import io.roomcast.proto.v1.ServerFrame;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads a playing client's frames as they come, on a thread of its own: the ticks of its states
 * in order (all of them: a gap is a state the node lost for it), and each state's tick -> client
 * latency (receipt minus the state's server time, both in ms, so 1-2 ms of resolution), kept
 * per named phase (a clean run, a fuzz, ...).
 */
public final class BystanderProbe implements AutoCloseable {

    private final TestClient client;
    private final Thread thread;
    private final List<Long> ticks = new CopyOnWriteArrayList<>();
    private final Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
    private final Map<String, List<long[]>> arrivals = new ConcurrentHashMap<>(); // {tick, receipt nanoTime}
    private volatile String phase;
    private volatile boolean running = true;

    /** Starts reading {@code client}'s frames (nothing else may read them meanwhile) into {@code phase}. */
    public BystanderProbe(TestClient client, String phase) {
        this.client = client;
        this.phase = phase;
        this.thread = new Thread(this::run, "bystander-probe");
        thread.setDaemon(true);
        thread.start();
    }

    /** States from now on count for {@code name}. */
    public void phase(String name) {
        phase = name;
    }

    private void run() {
        try {
            while (running) {
                ServerFrame frame = client.poll(Duration.ofMillis(100));
                if (frame != null && frame.hasState()) {
                    long latency = System.currentTimeMillis() - frame.getState().getServerTimeMs();
                    arrivals.computeIfAbsent(phase, p -> new CopyOnWriteArrayList<>())
                            .add(new long[] {frame.getState().getTick(), System.nanoTime()});
                    ticks.add(frame.getState().getTick());
                    latencies.computeIfAbsent(phase, p -> new CopyOnWriteArrayList<>()).add(latency);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** States received in {@code phase}. */
    public int count(String phase) {
        return latencies.getOrDefault(phase, List.of()).size();
    }

    /** The latencies of the states received in {@code phase}, in ms. */
    public List<Long> latencies(String phase) {
        return List.copyOf(latencies.getOrDefault(phase, List.of()));
    }

    /** The 99th percentile of the latencies of {@code phase} (nearest rank), -1 without any. */
    public long p99(String phase) {
        return percentile(latencies.getOrDefault(phase, List.of()), 0.99);
    }

    /**
     * How late the states of {@code phase} came, in µs, to a finer resolution than {@link #p99}:
     * the room ticks at a fixed rate, so a state's receipt minus its tick times the period is a
     * constant plus whatever delayed it (the tick itself starting late, encoding, the node's
     * threads, the socket, this reader); less the phase's smallest such value, its 99th
     * percentile. One clock, this JVM's, for all of it.
     */
    public long lateP99Micros(String phase, long periodNanos) {
        List<long[]> seen = arrivals.getOrDefault(phase, List.of());
        if (seen.isEmpty()) {
            return -1;
        }
        List<Long> offsets = seen.stream().map(a -> a[1] - a[0] * periodNanos).toList();
        long earliest = offsets.stream().mapToLong(Long::longValue).min().orElseThrow();
        return percentile(offsets.stream().map(o -> (o - earliest) / 1_000).toList(), 0.99);
    }

    public static long percentile(List<Long> values, double fraction) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? -1 : sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * fraction) - 1)));
    }

    /** Every state received so far, in every phase. */
    public int states() {
        return ticks.size();
    }

    /** Where the ticks received so far skip or repeat one ("" if they are contiguous). */
    public String gaps() {
        List<String> gaps = new ArrayList<>();
        for (int i = 1; i < ticks.size() && gaps.size() < 10; i++) {
            if (ticks.get(i) != ticks.get(i - 1) + 1) {
                gaps.add(ticks.get(i - 1) + " -> " + ticks.get(i));
            }
        }
        return String.join(", ", gaps);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2_000);
    }
}
