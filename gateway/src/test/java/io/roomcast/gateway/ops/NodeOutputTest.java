package io.roomcast.gateway.ops;

import com.google.protobuf.ByteString;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.NodeProcess;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.KeyframeRequest;
import io.roomcast.proto.v1.Leave;
import io.roomcast.proto.v1.Ping;
import io.roomcast.proto.v1.ServerFrame;
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
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a node process prints: its log lines (text or JSON, the node id on each; the session and the
 * room on the lines about them), nothing per frame at INFO, and a busy port's one line.
 */
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

    @Test
    void aSessionsAndARoomsJsonLogLinesCarryTheirIdsUnderMdcAndOthersDoNot() throws Exception {
        List<String> output;
        String sessionId;
        String roomId;
        try (NodeProcess node = NodeProcess.start(Map.of("LOG_FORMAT", "json", "NODE_ID", "json-node-2", "LOG_LEVEL", "DEBUG"))) {
            try (TestClient player = TestClient.connect(node.port())) {
                sessionId = player.hello("logged").getSessionId();
                roomId = player.quickJoin("orb-rush").getRoomId(); // the room's thread logs its opening at DEBUG
                player.sendBytes(new byte[] {(byte) 0xFF, 0x01}); // undecodable: a DEBUG line on the session's I/O thread
                player.await(ServerFrame::hasError);
            }
            node.terminate();
            output = stoppedOutput(node);
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : output) {
            if (line.startsWith("{")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> json = new Json().toType(line, Map.class);
                lines.add(json);
            }
        }
        Map<String, Object> undecodable = only(lines, "undecodable frame");
        assertEquals(Map.of("session", sessionId), undecodable.get("mdc"), undecodable.toString());
        Map<String, Object> opened = only(lines, "room opened: orb-rush");
        assertEquals(Map.of("room", roomId), opened.get("mdc"), opened.toString());
        for (String message : List.of("listening on", " draining", " stopped")) {
            Map<String, Object> line = only(lines, message);
            assertTrue(line.get("mdc") == null || ((Map<?, ?>) line.get("mdc")).isEmpty(), "no session or room: " + line);
        }
        // Cleared after their work: no line of a thread that ran it says so unless it is about them.
        for (Map<String, Object> line : lines) {
            Object mdc = line.get("mdc");
            String message = String.valueOf(line.get("formattedMessage"));
            if (mdc instanceof Map<?, ?> tags && tags.containsKey("room")) {
                assertTrue(message.startsWith("room "), "a room's line: " + line);
            }
        }
    }

    @Test
    void textLinesNameTheSessionAndTheRoomAndNothingIsLoggedPerFrameAtInfo() throws Exception {
        List<String> output;
        String sessionId;
        String roomId;
        try (NodeProcess node = NodeProcess.start(Map.of("NODE_ID", "text-node-2", "LOG_LEVEL", "DEBUG"))) {
            try (TestClient player = TestClient.connect(node.port())) {
                sessionId = player.hello("chatty").getSessionId();
                roomId = player.quickJoin("orb-rush").getRoomId();
                // Hundreds of frames of every kind a playing client sends, some refused, a few bad.
                for (int seq = 1; seq <= 300; seq++) {
                    player.input(roomId, seq, DemoInput.newBuilder().setDx(seq % 2).build().toByteString());
                    if (seq % 5 == 0) {
                        player.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setClientTimeMs(seq)).build());
                    }
                    if (seq % 30 == 0) {
                        player.emit(Emit.newBuilder().setRoomId(roomId).setName("chat").setPayload(ByteString.copyFromUtf8("hi")).build());
                        player.send(ClientFrame.newBuilder().setKeyframeRequest(KeyframeRequest.newBuilder().setRoomId(roomId)).build());
                    }
                    if (seq % 60 == 0) {
                        player.sendBytes(new byte[] {(byte) 0xFF, 0x02});
                    }
                }
                player.send(ClientFrame.newBuilder().setLeave(Leave.newBuilder().setRoomId(roomId)).build());
                player.await(ServerFrame::hasLeft);
            }
            node.terminate();
            output = stoppedOutput(node);
        }
        List<String> logLines = output.stream().filter(line -> line.matches("\\d{4}-\\d\\d-\\d\\dT.*")).toList();
        List<String> undecodable = logLines.stream().filter(line -> line.contains("undecodable frame")).toList();
        assertEquals(5, undecodable.size(), "one DEBUG line per undecodable frame: " + undecodable);
        for (String line : undecodable) {
            assertTrue(line.matches(".* DEBUG +node=text-node-2 session=" + Pattern.quote(sessionId) + " \\[.*"), line);
        }
        String opened = onlyLine(logLines, "room opened: orb-rush");
        assertTrue(opened.matches(".* DEBUG +node=text-node-2 room=" + Pattern.quote(roomId) + " \\[.*"), opened);
        String closed = onlyLine(logLines, "room closed");
        assertTrue(closed.contains(" room=" + roomId + " "), closed);
        // At INFO and above: the node's start and stop, nothing for the ~400 frames in between.
        List<String> info = logLines.stream().filter(line -> line.matches("\\S+ +(INFO|WARN|ERROR) .*")).toList();
        assertTrue(info.stream().allMatch(line -> line.contains("authentication: open") || line.contains("listening on")
                || line.contains(" draining") || line.contains(" stopped")), "only start and stop at INFO: " + info);
        assertTrue(info.stream().noneMatch(line -> line.contains("session=") || line.contains("room=")), info.toString());
    }

    private static Map<String, Object> only(List<Map<String, Object>> lines, String message) {
        List<Map<String, Object>> found = lines.stream()
                .filter(line -> String.valueOf(line.get("formattedMessage")).contains(message)).toList();
        assertEquals(1, found.size(), "one line with '" + message + "': " + found);
        return found.getFirst();
    }

    private static String onlyLine(List<String> lines, String message) {
        List<String> found = lines.stream().filter(line -> line.contains(message)).toList();
        assertEquals(1, found.size(), "one line with '" + message + "': " + found);
        return found.getFirst();
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
