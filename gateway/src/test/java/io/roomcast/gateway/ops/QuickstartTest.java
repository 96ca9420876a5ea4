package io.roomcast.gateway.ops;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's first command as a new user runs it, in real processes: with an older Java first
 * on PATH (the usual machine: a system Java 17, a JDK 21+ installed beside it), it must find the
 * JDK >= 21 itself, print the demo URL on the port of {@code PORT}, and stop — node included,
 * quietly — on SIGTERM or Ctrl-C (SIGINT) to the process the user started. With no JDK >= 21 at
 * all it must say so at once, in one line.
 *
 * <p>The command is parsed from README.md, so the test follows the docs. Each launch builds with
 * Maven (up to date after the module's own build: a few seconds); there are two launches. Only
 * loopback and free ports; only the processes started here are signalled, by PID.
 */
class QuickstartTest {

    /** The quickstart builds before it starts: generous for a cold CI machine, still bounded. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern DEMO_URL = Pattern.compile("Play the demo: (http://[^\\s/]+:(\\d+)/)");
    private static final Pattern PICKED_JDK = Pattern.compile("building the node with JDK (\\d+)");

    @Test
    void withAnOlderJavaFirstOnPathItStartsTheDemoOnPortAndSigtermLeavesNothingRunning() throws Exception {
        OldJava old = olderJava().orElse(null);
        assumeTrue(old != null, "assumes a Java older than 21 installed (PATH, JAVA_HOME, /usr/lib/jvm, /opt): none found");
        Launch launch = Launch.start(old, "TERM");
        try {
            Matcher jdk = PICKED_JDK.matcher(launch.output());
            assertTrue(jdk.find() && Integer.parseInt(jdk.group(1)) >= 21,
                    "with java " + old.feature + " first on PATH it builds with a JDK >= 21: " + launch.output());
            launch.assertServes();
            launch.stopAndAssertNothingLeft();
            assertEquals(143, launch.process.exitValue(), "the node's own exit on SIGTERM (128 + 15): " + launch.output());
        } finally {
            launch.destroyAll();
        }
    }

    @Test
    void ctrlCStopsTheNodeQuietlyToo() throws Exception {
        Launch launch = Launch.start(olderJava().orElse(null), "INT");
        try {
            launch.assertServes();
            assumeTrue(!ignoresSigint(launch.process.pid()),
                    "assumes SIGINT is not ignored by the started process (it inherits the test JVM's disposition; "
                            + "a job started in the background of a script ignores it)");
            launch.stopAndAssertNothingLeft();
            assertEquals(130, launch.process.exitValue(), "the node's own exit on SIGINT (128 + 2): " + launch.output());
        } finally {
            launch.destroyAll();
        }
    }

    @Test
    void withNoJdk21AnywhereItSaysSoInOneLineAtOnce() throws Exception {
        OldJava old = olderJava().orElse(null);
        assumeTrue(old != null, "assumes a Java older than 21 installed: none found");
        List<String> command = new ArrayList<>(readmeFirstCommand());
        Map<String, String> env = envPrefix(command);
        env.put("PATH", old.home.resolve("bin") + ":" + System.getenv("PATH"));
        env.put("ROOMCAST_JDK_DIRS", ""); // look nowhere but JAVA_HOME (unset) and PATH
        env.put("PORT", Integer.toString(freePort()));
        Path out = Files.createTempFile("roomcast-quickstart-", ".log");
        Process process = startProcess(command, env, out);
        long started = System.nanoTime();
        try {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "it stops by itself");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            String output = Files.readString(out);
            System.out.printf("no JDK >= 21: exit %d after %d ms: %s%n", process.exitValue(), millis, output.strip());
            assertEquals(1, process.exitValue(), output);
            List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
            assertEquals(1, lines.size(), "one line: " + output);
            assertTrue(lines.get(0).contains("JDK >= 21") && lines.get(0).contains("java " + old.feature + " (" + old.home),
                    "says what it needs and what it found: " + output);
            // "within a second" on an idle machine; a shared CI machine gets slack.
            assertTrue(millis < 5_000, "took " + millis + " ms: " + output);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    @Test
    void theJarOnAnOlderJavaSaysWhatItNeedsInOneLine() throws Exception {
        OldJava old = olderJava().orElse(null);
        assumeTrue(old != null, "assumes a Java older than 21 installed: none found");
        // What `java -jar gateway/target/roomcast-gateway.jar` runs first (its manifest's Main-Class).
        Path classes = Path.of(io.roomcast.gateway.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process process = new ProcessBuilder(old.home.resolve("bin/java").toString(), "-cp", classes.toString(),
                "io.roomcast.gateway.Launcher", "--help").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        assertEquals(1, lines.size(), "one line: " + output);
        assertTrue(lines.get(0).contains("needs Java 21 or newer; this is Java " + old.feature), output);
        assertFalse(output.contains("UnsupportedClassVersionError"), output);
    }

    // ───────────── a quickstart launch ─────────────

    /**
     * The README's first command, started in the repository root with PORT set to a free port.
     * {@code tree}: every process seen under it (the clean-up kills them even once they have been
     * re-parented, e.g. a node orphaned by its Maven).
     */
    private record Launch(Process process, Path out, int port, String stopSignal, Set<ProcessHandle> tree) {

        static Launch start(OldJava old, String stopSignal) throws Exception {
            List<String> command = new ArrayList<>(readmeFirstCommand());
            Map<String, String> env = envPrefix(command);
            if (old != null) {
                env.put("PATH", old.home.resolve("bin") + ":" + System.getenv("PATH"));
            }
            int port = freePort();
            env.put("PORT", Integer.toString(port));
            env.put("HOST", "127.0.0.1");
            Path out = Files.createTempFile("roomcast-quickstart-", ".log");
            Launch launch = new Launch(startProcess(command, env, out), out, port, stopSignal,
                    Collections.synchronizedSet(new LinkedHashSet<>()));
            long started = System.nanoTime();
            long deadline = started + START_TIMEOUT.toNanos();
            while (!DEMO_URL.matcher(launch.output()).find()) {
                launch.process.descendants().forEach(launch.tree::add);
                if (!launch.process.isAlive() || System.nanoTime() > deadline) {
                    String why = launch.process.isAlive() ? "within " + START_TIMEOUT.toSeconds() + " s"
                            : "(exited with " + launch.process.exitValue() + ")";
                    String output = launch.output();
                    launch.destroyAll();
                    fail("no demo URL " + why + "; output:\n" + output);
                }
                Thread.sleep(100);
            }
            System.out.printf("quickstart (%s) printed its URL after %.1f s%n", command, (System.nanoTime() - started) / 1e9);
            return launch;
        }

        String output() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The URL names PORT, and the node answers /healthz there. */
        void assertServes() throws Exception {
            Matcher url = DEMO_URL.matcher(output());
            assertTrue(url.find(), output());
            assertEquals(port, Integer.parseInt(url.group(2)), "the demo URL is on PORT: " + url.group(1));
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
        }

        /**
         * Signals the process started (only it), waits for it, then: the port is closed, no
         * process that ran under it is alive, and the output has no stack trace or Maven error.
         */
        void stopAndAssertNothingLeft() throws Exception {
            process.descendants().forEach(tree::add);
            List<ProcessHandle> all = new ArrayList<>(tree);
            all.add(process.toHandle());
            signal(process.pid(), stopSignal);
            assertTrue(process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                    "SIG" + stopSignal + " stops it within " + STOP_TIMEOUT.toSeconds() + " s: " + output());
            for (ProcessHandle handle : all) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (handle.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertFalse(handle.isAlive(), "still running after SIG" + stopSignal + ": pid " + handle.pid() + " "
                        + handle.info().commandLine().orElse("?"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                fail("port " + port + " still accepts connections after SIG" + stopSignal);
            } catch (ConnectException expected) {
                // closed
            }
            String output = output();
            assertTrue(output.contains(" draining") && output.contains(" stopped"), "the node drained and stopped: " + output);
            for (String noise : List.of("ExecuteException", "Exception", "\tat ", "[ERROR]", "BUILD FAILURE")) {
                assertFalse(output.contains(noise), "quiet stop, no '" + noise.strip() + "':\n" + output);
            }
        }

        /** Kills whatever still runs of this launch (failures): descendants first, by PID. */
        void destroyAll() throws IOException {
            process.descendants().forEach(tree::add);
            List.copyOf(tree).forEach(ProcessHandle::destroyForcibly); // ours: seen under the started process
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(out);
        }
    }

    // ───────────── helpers ─────────────

    private static Process startProcess(List<String> command, Map<String, String> env, Path out) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(repoRoot().toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().remove("JAVA_HOME"); // a new user's shell: the java on PATH is all there is
        builder.environment().putAll(env);
        return builder.start();
    }

    /** The first line of README.md's first ```bash block, its comment dropped, split into words. */
    static List<String> readmeFirstCommand() throws IOException {
        List<String> lines = Files.readAllLines(repoRoot().resolve("README.md"));
        int fence = lines.indexOf("```bash");
        assertTrue(fence >= 0 && fence + 1 < lines.size(), "README.md has a ```bash block");
        String line = lines.get(fence + 1);
        int comment = line.indexOf(" #");
        String command = (comment >= 0 ? line.substring(0, comment) : line).strip();
        assertFalse(command.isEmpty() || command.contains("'") || command.contains("\"") || command.contains("|"),
                "a plain command (no quoting, no pipes): " + line);
        return Arrays.asList(command.split("\\s+"));
    }

    /** Takes leading NAME=value words off {@code command} as the environment they set. */
    private static Map<String, String> envPrefix(List<String> command) {
        Map<String, String> env = new LinkedHashMap<>();
        while (!command.isEmpty() && command.get(0).matches("[A-Z_][A-Z0-9_]*=.*")) {
            String word = command.remove(0);
            env.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
        }
        return env;
    }

    /** A Java older than 21 on this machine: PATH, JAVA_HOME, the usual JDK folders; the newest such. */
    record OldJava(Path home, int feature) {}

    static Optional<OldJava> olderJava() {
        List<Path> homes = new ArrayList<>();
        for (String entry : Optional.ofNullable(System.getenv("PATH")).orElse("").split(":")) {
            Path java = Path.of(entry.isEmpty() ? "." : entry, "java");
            if (Files.isExecutable(java)) {
                try {
                    homes.add(java.toRealPath().getParent().getParent());
                } catch (IOException ignored) {
                    // a dangling link
                }
            }
        }
        Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).ifPresent(homes::add);
        for (String dir : List.of("/usr/lib/jvm", "/opt/java", "/opt", "/Library/Java/JavaVirtualMachines")) {
            try (Stream<Path> children = Files.list(Path.of(dir))) {
                children.forEach(child -> homes.add(Files.isDirectory(child.resolve("Contents/Home")) ? child.resolve("Contents/Home") : child));
            } catch (IOException ignored) {
                // no such folder
            }
        }
        return homes.stream()
                .filter(home -> Files.isExecutable(home.resolve("bin/java")))
                .map(home -> new OldJava(realPath(home), feature(home)))
                .filter(java -> java.feature > 0 && java.feature < 21)
                .distinct()
                .max(Comparator.comparingInt(OldJava::feature));
    }

    /** The feature version from the JDK's {@code release} file (JAVA_VERSION="17.0.15", "1.8.0_402"); 0 if unknown. */
    private static int feature(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                Matcher version = Pattern.compile("^JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(line);
                if (version.find()) {
                    return Integer.parseInt(version.group(1));
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // no release file: not a JDK we can tell
        }
        return 0;
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path;
        }
    }

    /** True if {@code pid} ignores SIGINT (its SigIgn mask in /proc; false where there is no /proc). */
    private static boolean ignoresSigint(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (2 - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // no /proc
        }
        return false;
    }

    private static void signal(long pid, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + pid);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    private static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (README.md, mvnw) above " + Path.of("").toAbsolutePath());
    }
}
