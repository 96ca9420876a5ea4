package io.roomcast.gateway;

import io.roomcast.gateway.testing.BystanderProbe;
import io.roomcast.gateway.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Does a node's handling of bad input cost anything beyond the CPU the load itself takes? The
 * bystander's tick -> client p99 (an orb-rush player, {@link BystanderProbe}) under (a) no load,
 * (b) offenders sending valid frames (a Hello, then pings, then a close), and (c) the raw-frame
 * fuzz ({@link RawFrameFuzz}) from as many offenders. (b) sends what the last (c) reached: as
 * many frames a second, and as many frames a connection, so as many connections a second (the
 * fuzz waits for some closes, so it reaches less than it is offered). Rounds rotate the order of
 * the three; each phase also reports the CPU the node's threads and the offenders' JVM took, and
 * the machine's load average.
 *
 * <p>The offenders run in a JVM of their own ({@link RawFrameFuzzProcess}, one per phase that
 * sends load, the warm-up's too); the node and the bystander stay in this one. In one JVM, the
 * fuzzer's garbage collections (it allocates a lot: scripts, frames, sockets) stopped the node
 * and the bystander's reader with it, and counted as the node's latency (~400 ms of young-GC
 * pauses in a 20 s fuzz phase). The criterion, the bystander's p99 within 10 % of a clean run,
 * is about the node, not the load generator. The child still shares the machine's cores: its
 * CPU (its offender threads', and its whole process's over the phase, GC and JIT included) is
 * reported, and the valid phase carries the same load of connections. Each child starts during
 * the pause before its phase (its JVM's start is not the phase's), but each starts cold: its JIT
 * compiles during its phase, in the valid and fuzz phases alike.
 *
 * <p>The fuzz here joins no room: its templates name a room that does not exist and carry no
 * Join (an offender seated in the bystander's room makes that room bigger: another load, not bad
 * input). One last phase, (d), runs FuzzTest's templates, aimed at the bystander's room, to show
 * what that costs.
 *
 * <p>A measurement, not a check: off unless asked for (docs/operations.md, "Fuzzing"):
 * {@code ./mvnw -B -o -q -pl gateway -am test -Dtest=FuzzLatencyTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Droomcast.latency.rounds=5}. Other properties: {@code roomcast.latency.seconds} (per phase, 20),
 * {@code roomcast.latency.rate} (frames a second offered by the fuzz, 4000; 0: as fast as it goes),
 * {@code roomcast.latency.warmup} (seconds, 20), {@code roomcast.latency.offenders} (16).
 */
@EnabledIfSystemProperty(named = "roomcast.latency.rounds", matches = "\\d+")
class FuzzLatencyTest {

    private static final int ROUNDS = Integer.getInteger("roomcast.latency.rounds", 5);
    private static final double SECONDS = Double.parseDouble(System.getProperty("roomcast.latency.seconds", "20"));
    private static final double RATE = Double.parseDouble(System.getProperty("roomcast.latency.rate", "4000"));
    private static final double WARMUP = Double.parseDouble(System.getProperty("roomcast.latency.warmup", "20"));
    private static final int OFFENDERS = Integer.getInteger("roomcast.latency.offenders", 16);
    private static final long SEED = 7;
    /** The fuzz's templates that join nothing (RawFrameFuzzProcess). */
    private static final String QUIET = "quiet";
    /** The node's threads: XNIO's (I/O, tasks) and the rooms' (workers, timer). */
    private static final Pattern NODE_THREAD = Pattern.compile("XNIO-\\d+ .*|room-.*");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * One phase's figures. The p99 is in whole ms and stays so: a state's latency is its receipt
     * minus its {@code server_time_ms}, which the node stamps in ms, so a finer receipt clock
     * would only add digits the difference does not have. {@code lateP99Micros} is the finer
     * figure: how late states came against the room's fixed tick schedule, in µs
     * ({@link BystanderProbe#lateP99Micros}).
     */
    private record Phase(String name, LocalTime start, long p99, long lateP99Micros, int states, double framesPerSecond, double connectionsPerSecond,
                         double kilobytesPerSecond, double nodeCpuMsPerSecond, double offenderCpuMsPerSecond,
                         double offenderThreadsCpuMsPerSecond, String load) {
        @Override
        public String toString() {
            return String.format("%-7s from %s  p99 %3d ms, late p99 %5d µs (%d states)  %6.0f frames/s  %5.0f conn/s  %5.0f KB/s  node CPU %4.0f ms/s"
                            + "  offenders' CPU %4.0f ms/s (threads %4.0f)  load %s", name, start.truncatedTo(ChronoUnit.SECONDS), p99, lateP99Micros, states,
                    framesPerSecond, connectionsPerSecond, kilobytesPerSecond, nodeCpuMsPerSecond, offenderCpuMsPerSecond,
                    offenderThreadsCpuMsPerSecond, load);
        }
    }

    private Node node;
    private long periodNanos; // the bystander's room's tick period
    private BystanderProbe probe;
    private String joining;    // FuzzTest's templates, aimed at the bystander's room
    // What the last fuzz phase reached, which the next valid phase sends: frames a second, and
    // frames a connection (so as many connections a second).
    private double fuzzFramesPerSecond;
    private int framesPerConnection;

    @Test
    void bystanderP99WithoutLoadUnderValidFramesAndUnderTheFuzz() throws Exception {
        node = RawFrameFuzzTest.fuzzTarget();
        try (TestClient bystander = TestClient.connect(node.port())) {
            bystander.hello("bystander");
            io.roomcast.proto.v1.Joined joined = bystander.quickJoin("orb-rush");
            String room = joined.getRoomId();
            periodNanos = 1_000_000_000L / joined.getTickRateHz();
            bystander.drain();
            probe = new BystanderProbe(bystander, "warmup");
            joining = "room:" + room;

            // Warm-up: JIT, buffers, and what the fuzz reaches: its frames a second (it waits for
            // some closes, so it sends fewer than offered) and a connection.
            RawFrameFuzzProcess.Result calibration = run(offenders(RawFrameFuzz.Mode.FUZZ, WARMUP / 2, RATE, 0, QUIET), WARMUP / 2);
            fuzzReached(calibration.frames() / calibration.seconds(), calibration);
            run(offenders(RawFrameFuzz.Mode.VALID, WARMUP / 2, fuzzFramesPerSecond, framesPerConnection, QUIET), WARMUP / 2);
            System.out.printf("latency: warm-up done; the fuzz reached %.0f frames/s, %d frames a connection%n",
                    fuzzFramesPerSecond, framesPerConnection);

            Map<String, List<Phase>> byName = new HashMap<>();
            for (int round = 1; round <= ROUNDS; round++) {
                List<String> order = new ArrayList<>(List.of("idle", "valid", "fuzz"));
                java.util.Collections.rotate(order, round - 1);
                for (String name : order) {
                    Phase phase = phase(name + "-" + round, name);
                    byName.computeIfAbsent(name, n -> new ArrayList<>()).add(phase);
                    System.out.println("latency: round " + round + ": " + phase);
                }
            }
            Phase joiningFuzz = phase("fuzz-joining", "fuzz-joining");
            System.out.println("latency: " + joiningFuzz);
            probe.close();

            System.out.printf("latency: %d rounds of %.0f s, the fuzz offered %s, %d offenders%n", ROUNDS, SECONDS,
                    RATE > 0 ? String.format("%.0f frames/s", RATE) : "as many frames as it can send", OFFENDERS);
            for (String name : List.of("idle", "valid", "fuzz")) {
                List<Long> p99s = byName.get(name).stream().map(Phase::p99).sorted().toList();
                List<Double> cpu = byName.get(name).stream().map(Phase::nodeCpuMsPerSecond).sorted().toList();
                // All its rounds' states together: with many short rounds, a load from outside that
                // comes and goes falls on every kind of phase alike.
                List<Long> pooled = byName.get(name).stream().flatMap(phase -> probe.latencies(phase.name()).stream()).toList();
                List<Long> late = byName.get(name).stream().map(Phase::lateP99Micros).sorted().toList();
                System.out.printf("latency: %-5s p99 of all its states %d ms (%d states); a round's p99 min %d ms, median %d ms (all: %s); "
                                + "a round's late p99 median %d µs (all: %s); node CPU median %.0f ms/s%n", name,
                        BystanderProbe.percentile(pooled, 0.99), pooled.size(), p99s.getFirst(), p99s.get(p99s.size() / 2), p99s,
                        late.get(late.size() / 2), late, cpu.get(cpu.size() / 2));
            }
            assertEquals("", probe.gaps(), "contiguous ticks for the bystander throughout");
        } finally {
            node.stop();
        }
    }

    /** Offenders in a JVM of their own, started (they wait for {@link RawFrameFuzzProcess.Child#go}). */
    private RawFrameFuzzProcess.Child offenders(RawFrameFuzz.Mode mode, double seconds, double rate, int perConnection, String templates)
            throws Exception {
        return new RawFrameFuzzProcess.Child(node.port(), mode, seconds, rate, perConnection, OFFENDERS, SEED, templates);
    }

    /** Runs {@code offenders} (a run of {@code seconds}) as soon as they are ready, and stops their JVM if anything goes wrong. */
    private static RawFrameFuzzProcess.Result run(RawFrameFuzzProcess.Child offenders, double seconds) throws Exception {
        try (offenders) {
            offenders.awaitReady();
            offenders.go();
            return offenders.await(seconds);
        }
    }

    private void fuzzReached(double framesPerSecond, RawFrameFuzzProcess.Result fuzz) {
        fuzzFramesPerSecond = framesPerSecond;
        framesPerConnection = (int) Math.max(2, Math.round((double) fuzz.frames() / fuzz.connections()));
    }

    /**
     * Runs one phase of {@link #SECONDS} after a 2 s pause (the last phase's sockets close; the
     * offenders' JVM, if the phase has any, starts meanwhile) and measures it.
     */
    private Phase phase(String label, String kind) throws Exception {
        probe.phase("pause");
        long pauseEnds = System.nanoTime() + 2_000_000_000L;
        try (RawFrameFuzzProcess.Child offenders = switch (kind) {
            case "idle" -> null;
            case "valid" -> offenders(RawFrameFuzz.Mode.VALID, SECONDS, fuzzFramesPerSecond, framesPerConnection, QUIET);
            case "fuzz" -> offenders(RawFrameFuzz.Mode.FUZZ, SECONDS, RATE, 0, QUIET);
            default -> offenders(RawFrameFuzz.Mode.FUZZ, SECONDS, RATE, 0, joining);
        }) {
            if (offenders != null) {
                offenders.awaitReady();
            }
            long pauseLeft = pauseEnds - System.nanoTime();
            if (pauseLeft > 0) {
                Thread.sleep(pauseLeft / 1_000_000, (int) (pauseLeft % 1_000_000));
            }
            String load = Files.readString(Path.of("/proc/loadavg")).strip().split(" ")[0];
            Map<Long, Long> cpuBefore = nodeCpu();
            LocalTime start = LocalTime.now();
            probe.phase(label);
            long started = System.nanoTime();
            RawFrameFuzzProcess.Result fuzz;
            if (offenders == null) {
                Thread.sleep((long) (SECONDS * 1000));
                fuzz = RawFrameFuzzProcess.Result.NONE;
            } else {
                offenders.go();
                fuzz = offenders.await(SECONDS);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            probe.phase("pause");
            if (kind.equals("fuzz")) {
                fuzzReached(fuzz.frames() / seconds, fuzz);
            }
            Map<Long, Long> cpuAfter = nodeCpu();
            long nodeCpuNanos = 0;
            for (Map.Entry<Long, Long> thread : cpuAfter.entrySet()) {
                nodeCpuNanos += thread.getValue() - cpuBefore.getOrDefault(thread.getKey(), 0L);
            }
            assertEquals(0, fuzz.failures(), label + ": every connection closed as documented; the first: " + fuzz.firstFailures());
            return new Phase(label, start, probe.p99(label), probe.lateP99Micros(label, periodNanos), probe.count(label), fuzz.frames() / seconds, fuzz.connections() / seconds,
                    fuzz.bytes() / 1e3 / seconds, nodeCpuNanos / 1e6 / seconds, fuzz.processCpuNanos() / 1e6 / seconds,
                    fuzz.offenderThreadsCpuNanos() / 1e6 / seconds, load);
        }
    }

    private static Map<Long, Long> nodeCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (NODE_THREAD.matcher(thread.getName()).matches()) {
                long nanos = THREADS.getThreadCpuTime(thread.threadId());
                if (nanos >= 0) {
                    cpu.put(thread.threadId(), nanos);
                }
            }
        }
        return cpu;
    }
}
