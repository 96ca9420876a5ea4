package io.roomcast.gateway.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node in a process of its own (the test's JDK and classpath), so a test can kill it with
 * SIGKILL or freeze it with SIGSTOP as a crash or a long pause would. Stopped by its PID.
 */
public final class NodeProcess implements AutoCloseable {

    private static final Pattern DEMO_URL = Pattern.compile("http://[^:]+:(\\d+)/");
    /** Nodes still running when this JVM exits (a test run stopped with SIGTERM or Ctrl-C) die with it. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "node-process-reaper"));
    }

    private final Process process;
    private final int port;
    private final List<String> output;

    private NodeProcess(Process process, int port, List<String> output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    /** Starts a node with these environment settings (PORT 0, HOST 127.0.0.1 added) and waits for its URL. */
    public static NodeProcess start(Map<String, String> env) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.roomcast.gateway.Main").redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("PORT", "0");
        builder.environment().put("HOST", "127.0.0.1");
        Process process = builder.start();
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                    Matcher url = DEMO_URL.matcher(line);
                    if (!port.isDone() && line.contains("Play the demo") && url.find()) {
                        port.complete(Integer.parseInt(url.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            }
            port.completeExceptionally(new IllegalStateException("node exited before printing its URL: " + output));
        }, "node-process-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new NodeProcess(process, port.get(30, TimeUnit.SECONDS), output);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("node did not start: " + output, e);
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: the node dies with no goodbye, as in a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /** SIGTERM: the node drains (a rolling restart) and exits. */
    public void terminate() throws Exception {
        // kill -TERM, not Process.destroy(): destroy() also closes our end of the node's output, so
        // what the node prints while it drains would be lost.
        signal("TERM");
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            throw new AssertionError("node did not exit within 15 s of SIGTERM: " + output());
        }
    }

    /** SIGSTOP: the node freezes (a long GC pause, a stalled VM); {@link #thaw} resumes it. */
    public void freeze() throws Exception {
        signal("STOP");
    }

    public void thaw() throws Exception {
        signal("CONT");
    }

    /** The node's /healthz JSON. */
    public String health() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A number field of /healthz, e.g. "rooms" or "rooms_fenced". */
    public long healthNumber(String field) throws Exception {
        Matcher value = Pattern.compile("\"" + field + "\":(\\d+)").matcher(health());
        if (!value.find()) {
            throw new AssertionError("no " + field + " in /healthz");
        }
        return Long.parseLong(value.group(1));
    }

    public List<String> output() {
        return List.copyOf(output);
    }

    private void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly(); // SIGKILL ends a frozen process too
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
