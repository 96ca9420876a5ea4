package io.roomcast.gateway;

import io.roomcast.gateway.testing.BystanderProbe;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.LogCapture;
import io.roomcast.gateway.testing.RawHttp;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Ping;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded, reproducible fuzzing of the WebSocket framing layer through raw sockets
 * ({@link RawFrameFuzz}: bad opcodes, reserved bits, unmasked frames, wrong, overlong, 64-bit
 * and non-minimal lengths, fragmented and oversized control frames, continuations without a
 * start, interleaved messages, invalid close codes and reasons, truncated headers, garbage after
 * a close, random bytes, mutated ClientFrames in valid frames, frames glued to the upgrade,
 * writes in pieces and byte by byte, bad upgrades) from several offenders at once, while a
 * bystander plays orb-rush. Every offender connection ends with a documented close code or an
 * HTTP error within a bound; nothing is logged at WARN or ERROR (XNIO logs what a listener
 * throws); the node's I/O and room threads all live; the bystander's ticks stay contiguous; no
 * socket is left open; a new player still gets in.
 *
 * <p>CI runs a short pass. The long run (docs/operations.md, "Fuzzing"):
 * {@code ./mvnw -B -o -pl gateway -am test -Dtest=RawFrameFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Droomcast.rawfuzz.frames=1000000 -Droomcast.rawfuzz.seed=7}.
 */
class RawFrameFuzzTest {

    private static final long SEED = Long.getLong("roomcast.rawfuzz.seed", 1);
    private static final int FRAMES = Integer.getInteger("roomcast.rawfuzz.frames", 20_000);
    private static final int OFFENDERS = Integer.getInteger("roomcast.rawfuzz.offenders", 8);
    static final int MAX_FRAME_BYTES = 16 * 1024;
    /** Short: a silent connection waits this long for its 4002, and the fuzz with it. */
    static final int HANDSHAKE_TIMEOUT_MS = 250;
    /** The node's threads that must outlive the fuzz: XNIO's I/O threads, the room workers and timer. */
    private static final Pattern NODE_THREAD = Pattern.compile("XNIO-\\d+ I/O-\\d+|room-worker-\\d+|room-timer-\\d+");

    static Node fuzzTarget() {
        return TestNodes.start(config -> {
            config.maxFrameBytes = MAX_FRAME_BYTES;
            config.handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS;
            config.maxInputsPerSecond = 10_000;
            config.maxEmitsPerSecond = 10_000;
            config.maxHandshakesPerIpPerSecond = 100_000; // the offenders reconnect far faster than players
            config.maxConnectionsPerIp = 100_000;         // and leave sockets for the node to close
        });
    }

    static List<Thread> nodeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> NODE_THREAD.matcher(t.getName()).matches()).toList();
    }

    static int openWebSockets(Node node) {
        try {
            return RawHttp.openWebSockets(node.port());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void brokenFramesFromRawSocketsAreClosedWithDocumentedCodesWhileABystanderPlays() throws Exception {
        Node node = fuzzTarget();
        try (TestClient bystander = TestClient.connect(node.port())) {
            bystander.hello("bystander");
            String room = bystander.quickJoin("orb-rush").getRoomId();
            bystander.drain();
            BystanderProbe probe = new BystanderProbe(bystander, "fuzz");
            List<Thread> threads = nodeThreads();
            RawFrameFuzz fuzz = new RawFrameFuzz(node.port(), SEED, OFFENDERS, MAX_FRAME_BYTES, HANDSHAKE_TIMEOUT_MS,
                    FuzzTest.templates(room).stream().map(ClientFrame::toByteArray).toList());
            double seconds;
            try (LogCapture logs = LogCapture.start()) {
                long started = System.nanoTime();
                fuzz.run(RawFrameFuzz.Mode.FUZZ, FRAMES, 0, 0, 0);
                seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("raw fuzz: seed %d, %d frames on %d connections in %.1f s (%.0f frames/s); slowest close %d ms after "
                                + "a script's end; outcomes %s; metrics %s%n", SEED, fuzz.frames.sum(), fuzz.connections.sum(), seconds,
                        fuzz.frames.sum() / seconds, fuzz.slowestCloseMs.get(), fuzz.outcomeLine(), node.metrics().snapshot());
                // Every offender's socket is closed: those it left open too, by the node (1 s after its close frame).
                Eventually.holds(() -> openWebSockets(node) == 1, "only the bystander is connected", Duration.ofSeconds(5));
                probe.close();
                assertEquals(List.of(), logs.uncaught(), "no exception ended a thread");
                assertEquals(List.of(), logs.lines(), "nothing logged at WARN or ERROR (XNIO logs what a listener throws)");
            }
            assertEquals(List.of(), fuzz.failures, "every connection closed with a documented code, in time, by a node that spoke WebSocket");
            for (Thread thread : threads) {
                assertTrue(thread.isAlive(), thread.getName() + " is alive");
            }
            assertTrue(threads.stream().anyMatch(t -> t.getName().contains(" I/O-")) && threads.stream().anyMatch(t -> t.getName().startsWith("room-worker-")),
                    "the I/O and room threads were found: " + threads);
            assertEquals(0, node.metrics().roomTaskErrors.sum(), "no room task failed");
            assertEquals("", probe.gaps(), "contiguous ticks for the bystander");
            // 95 %: a 2-core machine busy with other work can delay a wake-up past the catch-up limit
            assertTrue(probe.count("fuzz") >= (int) (seconds * 20 * 0.95), "the bystander kept receiving states: "
                    + probe.count("fuzz") + " in " + Math.round(seconds) + " s");
            // The fuzz reached every layer it aims at (a run that only ever met one refusal proves little).
            Set<String> seen = fuzz.outcomes().keySet();
            for (String expected : List.of("close 1002", "close 1003", "close 1007", "close 1009", "close 4001", "close 4002", "http 400")) {
                assertTrue(seen.contains(expected), "some connection ended with " + expected + ": " + seen);
            }
            try (TestClient after = TestClient.connect(node.port())) {
                after.hello("after");
                after.quickJoin("orb-rush"); // a room with a free seat: the bystander's, or a new one
                after.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setClientTimeMs(77)).build());
                assertEquals(77, after.await(ServerFrame::hasPong).getPong().getClientTimeMs());
            }
        } finally {
            node.stop();
        }
    }
}
