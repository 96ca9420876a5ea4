package io.roomcast.gateway.ops;

import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.NodeProcess;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.json.Json;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a node process prints: its log lines (text or JSON, the node id on each) and a busy port's one line. */
class NodeOutputTest {

    @Test
    void withLogFormatJsonEveryLogLineIsAJsonObjectWithTheNodeId() throws Exception {
        List<String> output;
        try (NodeProcess node = NodeProcess.start(Map.of("LOG_FORMAT", "json", "NODE_ID", "json-node-1"))) {
            node.terminate(); // the drain logs too
            output = stoppedOutput(node);
        }
        List<Map<String, Object>> logLines = new ArrayList<>();
        for (String line : output) {
            if (line.isBlank() || line.startsWith("  ")) {
                continue; // the banner on stdout: "  Roomcast node ... is up", the demo URL
            }
            assertTrue(line.startsWith("{"), "not a JSON log line: " + line);
            @SuppressWarnings("unchecked")
            Map<String, Object> json = new Json().toType(line, Map.class); // throws on anything that is not JSON
            logLines.add(json);
        }
        assertTrue(logLines.size() >= 3, "listening, draining, stopped: " + output);
        for (Map<String, Object> json : logLines) {
            @SuppressWarnings("unchecked")
            Map<String, Object> context = (Map<String, Object>) json.get("context");
            @SuppressWarnings("unchecked")
            Map<String, Object> properties = (Map<String, Object>) context.get("properties");
            assertEquals("json-node-1", properties.get("node"), json.toString());
            assertTrue(json.get("timestamp") instanceof Number, json.toString());
            assertTrue(json.containsKey("level") && json.containsKey("loggerName") && json.containsKey("message"), json.toString());
        }
        assertTrue(logLines.stream().anyMatch(json -> String.valueOf(json.get("formattedMessage")).contains("listening on")), output.toString());
    }

    @Test
    void byDefaultLogLinesAreTextWithATimestampAndTheNodeId() throws Exception {
        List<String> output;
        try (NodeProcess node = NodeProcess.start(Map.of("NODE_ID", "text-node-1"))) {
            node.terminate();
            output = stoppedOutput(node);
        }
        List<String> logLines = output.stream().filter(line -> !line.isBlank() && !line.startsWith("  ")).toList();
        assertTrue(logLines.size() >= 3, output.toString());
        for (String line : logLines) {
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* +(TRACE|DEBUG|INFO|WARN|ERROR) +node=text-node-1 .*"),
                    "no timestamp, level or node id: " + line);
        }
    }

    /** The output up to the drain's last line (the reader thread may still be reading it after the exit). */
    private static List<String> stoppedOutput(NodeProcess node) throws InterruptedException {
        Eventually.holds(() -> node.output().stream().anyMatch(line -> line.contains(" stopped")), "the node logged its stop");
        return node.output();
    }

    @Test
    void aBusyPortIsOneLineNamingThePortAndTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "io.roomcast.gateway.Main").redirectErrorStream(true);
            builder.environment().put("PORT", Integer.toString(port));
            builder.environment().put("HOST", "127.0.0.1");
            Process process = builder.start();
            String out;
            try {
                out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            } finally {
                process.destroyForcibly();
            }
            assertEquals(1, process.exitValue());
            // Log lines of the start before the bind (e.g. the authentication mode) may come first.
            List<String> lines = out.lines().filter(line -> !line.isBlank() && !line.matches("\\d{4}-\\d\\d-\\d\\dT.* node=.*")).toList();
            assertEquals(1, lines.size(), "one line, no stack trace: " + out);
            assertTrue(lines.get(0).contains("127.0.0.1:" + port) && lines.get(0).contains("PORT"), lines.get(0));
            assertFalse(out.contains("\tat "), out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
