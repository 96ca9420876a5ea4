package io.roomcast.gateway;

import io.roomcast.proto.v1.ClientFrame;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@link RawFrameFuzz} run in a JVM of its own, against a node on 127.0.0.1: a load whose
 * garbage collections, JIT and allocations do not stop the node's JVM (FuzzLatencyTest).
 *
 * <p>{@code RawFrameFuzzProcess PORT FUZZ|VALID SECONDS RATE FRAMES_PER_CONNECTION OFFENDERS SEED quiet|room:ID}:
 * {@code quiet} is FuzzTest's templates without their Joins, aimed at a room that does not exist;
 * {@code room:ID} all of FuzzTest's templates, aimed at room ID. It builds the fuzz, prints
 * {@value #READY}, waits for a line on stdin (so that the JVM's start is over before the load
 * begins), runs, and prints one {@link Result} line. Exit 0 unless the run threw (the problems
 * RawFrameFuzz records are in the line, not the exit status).
 */
final class RawFrameFuzzProcess {

    static final String READY = "rawfuzz-ready";
    static final String RESULT = "rawfuzz-result";
    /** Problems the result line names (their count is whole). */
    private static final int FIRST_FAILURES = 5;

    private RawFrameFuzzProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: RawFrameFuzzProcess PORT FUZZ|VALID SECONDS RATE FRAMES_PER_CONNECTION OFFENDERS SEED quiet|room:ID");
            System.exit(64);
        }
        int port = Integer.parseInt(args[0]);
        RawFrameFuzz.Mode mode = RawFrameFuzz.Mode.valueOf(args[1]);
        double seconds = Double.parseDouble(args[2]);
        double rate = Double.parseDouble(args[3]);
        int framesPerConnection = Integer.parseInt(args[4]);
        int offenders = Integer.parseInt(args[5]);
        long seed = Long.parseLong(args[6]);
        RawFrameFuzz fuzz = new RawFrameFuzz(port, seed, offenders, RawFrameFuzzTest.MAX_FRAME_BYTES, RawFrameFuzzTest.HANDSHAKE_TIMEOUT_MS,
                templates(args[7]));
        System.out.println(READY);
        System.out.flush();
        if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine() == null) {
            System.exit(1); // the test went away
        }
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        long started = System.nanoTime();
        try {
            fuzz.run(mode, Long.MAX_VALUE, seconds, rate, framesPerConnection);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(2);
        }
        double ran = (System.nanoTime() - started) / 1e9;
        List<String> failures = List.copyOf(fuzz.failures);
        System.out.println(new Result(fuzz.frames.sum(), fuzz.connections.sum(), fuzz.bytes.sum(), ran, fuzz.offenderCpuNanos.sum(),
                os.getProcessCpuTime() - cpuBefore, failures.size(), failures.subList(0, Math.min(FIRST_FAILURES, failures.size()))).line());
        System.out.flush();
        System.exit(0);
    }

    private static List<byte[]> templates(String which) {
        if (which.equals("quiet")) {
            return FuzzTest.templates("no-such-room").stream().filter(f -> !f.hasJoin()).map(ClientFrame::toByteArray).toList();
        }
        if (which.startsWith("room:")) {
            return FuzzTest.templates(which.substring("room:".length())).stream().map(ClientFrame::toByteArray).toList();
        }
        throw new IllegalArgumentException("templates: quiet or room:ID, not " + which);
    }

    /**
     * What a run did: frames, connections and bytes sent, how long it ran (s), the CPU its
     * offender threads took and the CPU its whole process took meanwhile (GC and JIT too), and
     * the problems RawFrameFuzz recorded ({@code failures}, at most 50: it keeps no more), the
     * first few of them in full.
     */
    record Result(long frames, long connections, long bytes, double seconds, long offenderThreadsCpuNanos, long processCpuNanos,
                  int failures, List<String> firstFailures) {

        static final Result NONE = new Result(0, 0, 0, 0, 0, 0, 0, List.of());

        /** One line: {@value #RESULT} then key=value fields; the failures URL-encoded, comma-separated. */
        String line() {
            return RESULT + " frames=" + frames + " connections=" + connections + " bytes=" + bytes + " seconds=" + seconds
                    + " offenderThreadsCpuNanos=" + offenderThreadsCpuNanos + " processCpuNanos=" + processCpuNanos
                    + " failures=" + failures + " first=" + String.join(",",
                    firstFailures.stream().map(f -> URLEncoder.encode(f, StandardCharsets.UTF_8)).toList());
        }

        static Result parse(String line) {
            if (!line.startsWith(RESULT + " ")) {
                throw new IllegalArgumentException("not a result line: " + line);
            }
            Map<String, String> fields = new HashMap<>();
            for (String field : line.substring(RESULT.length() + 1).split(" ")) {
                int eq = field.indexOf('=');
                fields.put(field.substring(0, eq), field.substring(eq + 1));
            }
            String first = fields.get("first");
            return new Result(Long.parseLong(fields.get("frames")), Long.parseLong(fields.get("connections")), Long.parseLong(fields.get("bytes")),
                    Double.parseDouble(fields.get("seconds")), Long.parseLong(fields.get("offenderThreadsCpuNanos")),
                    Long.parseLong(fields.get("processCpuNanos")), Integer.parseInt(fields.get("failures")),
                    first.isEmpty() ? List.of() : Arrays.stream(first.split(",")).map(f -> URLDecoder.decode(f, StandardCharsets.UTF_8)).toList());
        }
    }

    /**
     * A run in a child JVM (this test's java and classpath, a small heap, the serial collector:
     * one GC thread, so its collections take one of the machine's cores at most). Start it, wait
     * for it to be {@link #awaitReady ready}, {@link #go}, then {@link #await} its result; closing
     * it kills it if it still runs. What it prints besides its protocol lines is printed here
     * ("offenders: ...") and kept for the failure messages.
     */
    static final class Child implements AutoCloseable {

        private static final String EOF = "\0eof";

        private final Process process;
        private final BlockingQueue<String> protocol = new LinkedBlockingQueue<>();
        private final Deque<String> output = new ArrayDeque<>();

        Child(int port, RawFrameFuzz.Mode mode, double seconds, double rate, int framesPerConnection, int offenders, long seed,
              String templates) throws IOException {
            String classpath = System.getProperty("surefire.test.class.path");
            if (classpath == null || classpath.isBlank()) {
                classpath = System.getProperty("java.class.path");
            }
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-cp", classpath, RawFrameFuzzProcess.class.getName()));
            command.addAll(List.of(String.valueOf(port), mode.name(), String.valueOf(seconds), String.valueOf(rate),
                    String.valueOf(framesPerConnection), String.valueOf(offenders), String.valueOf(seed), templates));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread reader = new Thread(this::read, "offenders-output");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.equals(READY) || line.startsWith(RESULT + " ")) {
                        protocol.add(line);
                    } else {
                        System.out.println("offenders: " + line);
                        synchronized (output) {
                            output.add(line);
                            if (output.size() > 40) {
                                output.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            } finally {
                protocol.add(EOF);
            }
        }

        /** Waits (at most 60 s) for the child to have built its fuzz. */
        void awaitReady() throws Exception {
            expect(READY, 60);
        }

        /** Starts the load. */
        void go() throws IOException {
            OutputStream in = process.getOutputStream();
            in.write('\n');
            in.flush();
        }

        /** Waits for the result of a run of {@code seconds} (and at most a minute more: the last connections' closes) and for the exit. */
        Result await(double seconds) throws Exception {
            Result result = Result.parse(expect(RESULT + " ", (long) seconds + 60));
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("the offenders' JVM did not exit cleanly after its result: " + output());
            }
            return result;
        }

        private String expect(String prefix, long timeoutSeconds) throws Exception {
            String line = protocol.poll(timeoutSeconds, TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("no " + prefix.strip() + " from the offenders' JVM within " + timeoutSeconds + " s: " + output());
            }
            if (line.equals(EOF)) {
                process.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("the offenders' JVM ended before its " + prefix.strip()
                        + (process.isAlive() ? "" : " (exit " + process.exitValue() + ")") + ": " + output());
            }
            if (!line.startsWith(prefix)) {
                throw new AssertionError("the offenders' JVM said " + line + ", not " + prefix.strip());
            }
            return line;
        }

        private List<String> output() {
            synchronized (output) {
                return List.copyOf(output);
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
