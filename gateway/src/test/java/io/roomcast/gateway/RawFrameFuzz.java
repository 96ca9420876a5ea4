package io.roomcast.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.gateway.testing.RawHttp;
import io.roomcast.gateway.testing.RawWebSocket;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Ping;
import io.roomcast.proto.v1.ServerFrame;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

import static io.roomcast.gateway.testing.RawWebSocket.BINARY;
import static io.roomcast.gateway.testing.RawWebSocket.CLOSE;
import static io.roomcast.gateway.testing.RawWebSocket.CONTINUATION;
import static io.roomcast.gateway.testing.RawWebSocket.FIN;
import static io.roomcast.gateway.testing.RawWebSocket.PING;
import static io.roomcast.gateway.testing.RawWebSocket.PONG;
import static io.roomcast.gateway.testing.RawWebSocket.TEXT;

/**
 * Offenders on raw sockets: each connection does the HTTP upgrade by hand (sometimes a wrong
 * one), then sends a seeded script of WebSocket frames broken in the ways RFC 6455 names (and
 * valid frames carrying mutated ClientFrames), whole, in pieces or a byte at a time, and reads
 * what the node answers until its close frame. Every connection must end with a documented close
 * code (or the echo of a close code it sent itself), or an HTTP error before the upgrade, within
 * a bounded time; a node that sends a masked frame, a frame that is not a ServerFrame, or
 * anything after its close frame is a failure too.
 *
 * <p>Scripts are reproducible from the seed: offender {@code o}'s connections come from
 * {@code new Random(seed * 31 + o)}, and a failure names the offender, the connection and the
 * script's frame kinds. The interleaving of the offenders, and so the node's timing, is not.
 *
 * <p>{@link Mode#VALID} is the same load without the harm: as many connections, each a Hello
 * and valid pings, then a close frame.
 */
final class RawFrameFuzz {

    enum Mode { FUZZ, VALID }

    /** How long a connection may take to be closed once its script is sent (timeouts aside). */
    static final long CLOSE_BOUND_MS = 5_000;
    /** No close this long after the script: the node may be waiting for the rest of a frame, so pad it. */
    private static final long PAD_AFTER_MS = 200;
    /** Sockets left open after the node's close frame, per offender, before the oldest is checked. */
    private static final int ABANDONED_KEPT = 16;

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private final int port;
    private final long seed;
    private final int offenders;
    private final int maxFrameBytes;
    private final int handshakeTimeoutMs;
    private final List<byte[]> templates;
    /** Zeros that complete any frame the node waits for (see awaitClose); never written to. */
    private final byte[] padding;
    /** Two fragments, each under the limit, together over it; never written to. */
    private final List<byte[]> overLimit;

    // What the runs saw (all runs of this instance).
    final LongAdder frames = new LongAdder();
    final LongAdder connections = new LongAdder();
    /** Bytes the offenders wrote: requests, frames, padding and garbage. */
    final LongAdder bytes = new LongAdder();
    final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    final LongAccumulator slowestCloseMs = new LongAccumulator(Math::max, 0);
    final List<String> failures = new CopyOnWriteArrayList<>();
    /** CPU time the offenders' threads took (the load generator's share of the machine). */
    final LongAdder offenderCpuNanos = new LongAdder();

    /**
     * @param templates valid ClientFrames the fuzz mutates (FuzzTest's, aimed at the bystander's room)
     */
    RawFrameFuzz(int port, long seed, int offenders, int maxFrameBytes, int handshakeTimeoutMs, List<byte[]> templates) {
        this.port = port;
        this.seed = seed;
        this.offenders = offenders;
        this.maxFrameBytes = maxFrameBytes;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.templates = templates;
        this.padding = new byte[maxFrameBytes + 16];
        byte[] half = new byte[maxFrameBytes / 2 + 1];
        this.overLimit = List.of(RawWebSocket.frame(BINARY, half, true), RawWebSocket.frame(FIN | CONTINUATION, half, true));
    }

    /** What the node's closes were, by outcome: "close 1002", "http 400", "client hung up", ... */
    Map<String, Long> outcomes() {
        Map<String, Long> sorted = new TreeMap<>();
        outcomes.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted;
    }

    /**
     * Runs the offenders until they have sent {@code budget} frames between them or {@code seconds}
     * have passed (0: no limit), at most {@code perSecond} frames a second between them (0: as fast
     * as they go). In {@link Mode#VALID}, each connection sends {@code validPerConnection} frames.
     */
    void run(Mode mode, long budget, double seconds, double perSecond, int validPerConnection) throws Exception {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(offenders, r -> new Thread(r, "offender-" + threads.incrementAndGet()));
        List<Future<?>> runs = new ArrayList<>();
        long started = System.nanoTime();
        long deadline = seconds > 0 ? started + (long) (seconds * 1e9) : Long.MAX_VALUE;
        for (int o = 0; o < offenders; o++) {
            int offender = o;
            long share = budget / offenders;
            double nanosPerFrame = perSecond > 0 ? 1e9 * offenders / perSecond : 0;
            runs.add(pool.submit(() -> {
                long cpuBefore = CPU.getCurrentThreadCpuTime();
                Offender it = new Offender(offender, new Random(seed * 31 + offender + (mode == Mode.VALID ? 7_777 : 0)));
                long sent = 0;
                long due = System.nanoTime();
                try {
                    while (sent < share && System.nanoTime() < deadline) {
                        if (nanosPerFrame > 0) {
                            // Paced: a connection's frames go when they are due. One that fell
                            // behind (it waited for a close) does not make up in a burst.
                            long now = System.nanoTime();
                            if (due - now > 0) {
                                Thread.sleep((due - now) / 1_000_000, (int) ((due - now) % 1_000_000));
                            } else if (now - due > 50_000_000) {
                                due = now - 50_000_000;
                            }
                        }
                        Script script = mode == Mode.FUZZ ? it.script() : it.validScript(validPerConnection);
                        sent += script.frameCount();
                        due += (long) (script.frameCount() * nanosPerFrame);
                        it.play(script);
                    }
                } finally {
                    it.checkAbandoned(0);
                    offenderCpuNanos.add(CPU.getCurrentThreadCpuTime() - cpuBefore);
                }
                return null;
            }));
        }
        try {
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void outcome(String what) {
        outcomes.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    // ───────────── scripts ─────────────

    /** One connection's plan: the request, the frames after it, how they are written and how it ends. */
    record Script(int offender, long number, String http, boolean upgrade, List<byte[]> frames, int glued,
                  Write write, Ending ending, After after, List<String> kinds, long playSeed) {
        int frameCount() {
            return frames.size();
        }

        String describe() {
            return "offender " + offender + " connection " + number + " (" + write + ", " + ending + ", " + after
                    + (glued > 0 ? ", " + glued + " frames glued to the request" : "") + "): " + kinds;
        }
    }

    enum Write { WHOLE, PIECES, BYTE_BY_BYTE }

    /** After the frames: a close frame, nothing (the node's handshake timeout or a close it owes), or the client hangs up. */
    enum Ending { CLOSE_FRAME, NOTHING, HANG_UP }

    /** After the node's close frame: hang up, send garbage and hang up, or leave the socket for the node to close. */
    enum After { HANG_UP, GARBAGE, ABANDON }

    private final class Offender {
        final int id;
        final Random random;
        long number;
        final ArrayDeque<Abandoned> abandoned = new ArrayDeque<>();

        Offender(int id, Random random) {
            this.id = id;
            this.random = random;
        }

        Script validScript(int framesPerConnection) {
            List<byte[]> frames = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            frames.add(binary(hello()));
            kinds.add("hello");
            for (int i = 1; i < framesPerConnection; i++) {
                frames.add(binary(PING_FRAME));
                kinds.add("ping");
            }
            // Written as the fuzz writes (a byte at a time costs the node a read per byte, whatever the bytes).
            return new Script(id, number++, RawHttp.upgrade(""), true, frames, 0, write(), Ending.CLOSE_FRAME, After.HANG_UP, kinds, random.nextLong());
        }

        Script script() {
            long n = number++;
            int shape = random.nextInt(64);
            if (shape < 2) {
                return badUpgrade(n);
            }
            List<byte[]> frames = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            if (shape == 2) {
                // upgraded, then silent (or a ping, or half a header): the node's handshake timeout closes it
                switch (random.nextInt(3)) {
                    case 0 -> { }
                    case 1 -> {
                        frames.add(frame(FIN | PING, randomBytes(10)));
                        kinds.add("ping");
                    }
                    default -> {
                        frames.add(Arrays.copyOf(binary(template()), 1));
                        kinds.add("truncated header");
                    }
                }
                return new Script(id, n, RawHttp.upgrade(""), true, frames, 0, Write.WHOLE, Ending.NOTHING, After.HANG_UP, kinds, random.nextLong());
            }
            if (random.nextInt(4) > 0) {
                frames.add(binary(hello()));
                kinds.add("hello");
            }
            // How hostile this connection is: most break a rule within a frame or two, some mostly
            // play along (their frames reach the session: fragments joined, protobuf decoded, 4000).
            int harm = new int[] {3, 30, 80}[random.nextInt(3)];
            int count = 1 + random.nextInt(random.nextInt(4) == 0 ? 40 : 16);
            for (int i = 0; i < count; i++) {
                kinds.add(random.nextInt(100) < harm ? harmful(frames) : harmless(frames));
            }
            int glued = random.nextInt(8) == 0 ? Math.min(frames.size(), 1 + random.nextInt(2)) : 0;
            Write write = write();
            int e = random.nextInt(32);
            Ending ending = e < 29 ? Ending.CLOSE_FRAME : e < 31 ? Ending.HANG_UP : Ending.NOTHING;
            int a = random.nextInt(8);
            After after = a < 5 ? After.HANG_UP : a < 6 ? After.GARBAGE : After.ABANDON;
            return new Script(id, n, RawHttp.upgrade(""), true, frames, glued, write, ending, after, kinds, random.nextLong());
        }

        /** Whole (10 in 16), in pieces (4), or its first 256 bytes a byte at a time (2). */
        Write write() {
            int w = random.nextInt(16);
            return w < 10 ? Write.WHOLE : w < 14 ? Write.PIECES : Write.BYTE_BY_BYTE;
        }

        /** An upgrade request the node must refuse with an HTTP error. */
        Script badUpgrade(long n) {
            String good = RawHttp.upgrade("");
            String[] bad = {
                    good.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"),
                    good.replace("Sec-WebSocket-Key: " + RawHttp.KEY + "\r\n", ""),
                    good.replace("Sec-WebSocket-Key: " + RawHttp.KEY, "Sec-WebSocket-Key: not*base64"),
                    good.replace("Upgrade: websocket\r\n", ""),
                    good.replace("GET /ws", "POST /ws"),
                    RawHttp.upgrade("Origin: https://evil.example\r\n"),
                    "GARBAGE\u0001\u0002 / HTTP/9.9\r\n\r\n",
            };
            int which = random.nextInt(bad.length);
            return new Script(id, n, bad[which], false, List.of(), 0, Write.WHOLE, Ending.HANG_UP, After.HANG_UP, List.of("bad upgrade " + which), 0);
        }

        byte[] hello() {
            return ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName("raw")).build().toByteArray();
        }

        byte[] mask() {
            byte[] mask = new byte[4];
            if (random.nextInt(16) > 0) { // sometimes 0: a key of zeros is a key too
                random.nextBytes(mask);
            }
            return mask;
        }

        byte[] binary(byte[] payload) {
            return RawWebSocket.frame(FIN | BINARY, payload, mask(), RawWebSocket.minimalLengthBytes(payload.length), payload.length);
        }

        byte[] frame(int firstByte, byte[] payload) {
            return RawWebSocket.frame(firstByte, payload, mask(), RawWebSocket.minimalLengthBytes(payload.length), payload.length);
        }

        byte[] template() {
            return templates.get(random.nextInt(templates.size()));
        }

        byte[] randomBytes(int max) {
            byte[] bytes = new byte[random.nextInt(max + 1)];
            random.nextBytes(bytes);
            return bytes;
        }

        /** Adds a frame (or a few, for fragments) that breaks no framing rule, and says what kind it was. */
        String harmless(List<byte[]> out) {
            int kind = random.nextInt(100);
            if (kind < 20) {
                out.add(binary(template()));
                return "valid";
            } else if (kind < 45) {
                out.add(binary(FuzzTest.mutate(template(), random)));
                return "mutated protobuf";
            } else if (kind < 60) {
                // a fragmented message, a ping or a pong maybe between its fragments
                byte[] payload = random.nextBoolean() ? template() : FuzzTest.mutate(template(), random);
                int pieces = 2 + random.nextInt(3);
                int at = 0;
                for (int p = 0; p < pieces; p++) {
                    int end = p == pieces - 1 ? payload.length : at + random.nextInt(payload.length - at + 1);
                    int first = (p == 0 ? BINARY : CONTINUATION) | (p == pieces - 1 ? FIN : 0);
                    out.add(frame(first, Arrays.copyOfRange(payload, at, end)));
                    at = end;
                    if (p < pieces - 1 && random.nextInt(3) == 0) {
                        out.add(frame(FIN | (random.nextBoolean() ? PING : PONG), randomBytes(20)));
                    }
                }
                return "fragmented";
            } else if (kind < 70) {
                byte[] payload = random.nextBoolean() ? template() : FuzzTest.mutate(template(), random);
                int width = payload.length < 126 && random.nextBoolean() ? 2 : 8;
                out.add(RawWebSocket.frame(FIN | BINARY, payload, mask(), width, payload.length));
                return "non-minimal length";
            } else if (kind < 82) {
                out.add(frame(FIN | (random.nextBoolean() ? PING : PONG), randomBytes(125)));
                return "ping or pong";
            } else if (kind < 86) {
                out.add(binary(new byte[0]));
                return "empty binary";
            } else {
                out.add(binary(randomBytes(200)));
                return "random payload";
            }
        }

        /** Adds a frame (or a few) that breaks a framing rule or a limit, or may, and says what kind it was. */
        String harmful(List<byte[]> out) {
            int kind = random.nextInt(100);
            if (kind < 6) {
                int[] reserved = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF};
                out.add(frame(FIN | reserved[random.nextInt(reserved.length)], randomBytes(30)));
                return "reserved opcode";
            } else if (kind < 12) {
                out.add(frame(FIN | (0x10 << random.nextInt(3)) | BINARY, template()));
                return "reserved bit";
            } else if (kind < 18) {
                byte[] payload = template();
                out.add(RawWebSocket.frame(FIN | BINARY, payload, null, RawWebSocket.minimalLengthBytes(payload.length), payload.length));
                return "unmasked";
            } else if (kind < 24) {
                byte[] payload = template();
                long declared = payload.length + 1 + random.nextInt(random.nextBoolean() ? 10 : maxFrameBytes - payload.length);
                out.add(RawWebSocket.frame(FIN | BINARY, payload, mask(), RawWebSocket.minimalLengthBytes(declared), declared));
                return "length too long";
            } else if (kind < 30) {
                byte[] payload = template();
                long declared = random.nextInt(payload.length);
                out.add(RawWebSocket.frame(FIN | BINARY, payload, mask(), RawWebSocket.minimalLengthBytes(declared), declared));
                return "length too short";
            } else if (kind < 33) {
                long declared = Long.MIN_VALUE | random.nextInt(1000);
                out.add(RawWebSocket.frame(FIN | BINARY, template(), mask(), 8, declared));
                return "64-bit length, top bit set";
            } else if (kind < 38) {
                long declared = random.nextBoolean() ? maxFrameBytes + 1 + random.nextInt(1000)
                        : random.nextBoolean() ? 0xFFFF : (1L << 32 + random.nextInt(30)) + random.nextInt(1000);
                out.add(RawWebSocket.frame(FIN | (random.nextBoolean() ? BINARY : PING), randomBytes(40), mask(),
                        declared <= 0xFFFF ? 2 : 8, declared));
                return "length over the limit";
            } else if (kind < 43) {
                int opcode = new int[] {PING, PONG, CLOSE}[random.nextInt(3)];
                out.add(frame(opcode, opcode == CLOSE ? RawWebSocket.closeBody(1000, new byte[0]) : randomBytes(20)));
                return "fragmented control";
            } else if (kind < 48) {
                out.add(frame((random.nextBoolean() ? FIN : 0) | CONTINUATION, randomBytes(30)));
                return "continuation without a start";
            } else if (kind < 53) {
                out.add(frame(BINARY, Arrays.copyOf(template(), 3)));
                out.add(frame((random.nextBoolean() ? FIN : 0) | (random.nextBoolean() ? BINARY : TEXT), template()));
                return "interleaved messages";
            } else if (kind < 58) {
                int opcode = new int[] {PING, PONG, CLOSE}[random.nextInt(3)];
                byte[] payload = randomBytes(400);
                out.add(frame(FIN | opcode, payload.length > 125 ? payload : Arrays.copyOf(payload, 126)));
                return "control over 125 bytes";
            } else if (kind < 63) {
                int[] invalid = {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535};
                out.add(frame(FIN | CLOSE, RawWebSocket.closeBody(invalid[random.nextInt(invalid.length)], new byte[0])));
                return "close code no peer may send";
            } else if (kind < 65) {
                out.add(frame(FIN | CLOSE, new byte[] {3}));
                return "1-byte close body";
            } else if (kind < 70) {
                byte[][] notUtf8 = {{(byte) 0xFF}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
                byte[] reason = RawWebSocket.concat("ok".getBytes(StandardCharsets.UTF_8), notUtf8[random.nextInt(notUtf8.length)]);
                out.add(frame(FIN | CLOSE, RawWebSocket.closeBody(1000, reason)));
                return "close reason not UTF-8";
            } else if (kind < 73) {
                int[] valid = {1000, 1001, 1003, 1008, 1011, 3000, 4000, 4999};
                out.add(frame(FIN | CLOSE, RawWebSocket.closeBody(valid[random.nextInt(valid.length)],
                        "bye".repeat(random.nextInt(42)).getBytes(StandardCharsets.UTF_8))));
                return "close (what follows is garbage after it)";
            } else if (kind < 78) {
                byte[] whole = binary(template());
                out.add(Arrays.copyOf(whole, 1 + random.nextInt(Math.min(whole.length, 14) - 1)));
                return "truncated header";
            } else if (kind < 88) {
                out.add(randomBytes(64));
                return "random bytes";
            } else if (kind < 93) {
                out.add(frame(FIN | TEXT, "{\"hello\":1}".getBytes(StandardCharsets.UTF_8)));
                return "text";
            } else {
                // a message over the limit in fragments, each under it (made once: the fuzz's
                // allocations are the node's JVM's too, and its collections the bystander's pauses)
                out.addAll(overLimit);
                return "fragments over the limit";
            }
        }

        // ───────────── playing a script ─────────────

        void play(Script script) throws Exception {
            connections.increment();
            frames.add(script.frameCount());
            RawWebSocket socket;
            try {
                socket = RawWebSocket.connect(port);
            } catch (IOException e) {
                failure(script, "could not connect: " + e);
                return;
            }
            boolean keep = false;
            try {
                // What playing draws (a close code, where writes are cut, garbage) comes from the
                // script's own seed: the next scripts are the same whatever the node answered.
                keep = converse(script, socket, new Random(script.playSeed()));
            } catch (AssertionError e) {
                failure(script, e.getMessage());
            } finally {
                if (!keep) {
                    socket.close();
                }
            }
        }

        /** True if the socket was left open for the node to close (it is checked later). */
        private boolean converse(Script script, RawWebSocket socket, Random random) throws IOException, InterruptedException {
            byte[] glued = RawWebSocket.concat(script.frames().subList(0, script.glued()));
            bytes.add(script.http().length() + glued.length);
            String head;
            try {
                head = glued.length > 0 ? socket.request(script.http(), glued) : socket.request(script.http());
            } catch (SocketException e) {
                head = "";
            }
            int status = RawWebSocket.status(head);
            if (!script.upgrade()) {
                if (status < 400) {
                    throw new AssertionError("a bad upgrade was answered " + (head.isEmpty() ? "with nothing" : head.lines().findFirst().orElse("")));
                }
                outcome("http " + status);
                return false;
            }
            if (status != 101) {
                // the node's limits may refuse a connection (429, 503): an HTTP error before the upgrade is fine
                if (status < 400) {
                    throw new AssertionError("the upgrade was answered " + head);
                }
                outcome("http " + status);
                return false;
            }
            long upgraded = System.nanoTime();
            List<byte[]> toSend = new ArrayList<>(script.frames().subList(script.glued(), script.frames().size()));
            if (script.ending() == Ending.CLOSE_FRAME) {
                int code = new int[] {1000, 1000, 1001, 4321}[random.nextInt(4)];
                toSend.add(RawWebSocket.frame(FIN | CLOSE, RawWebSocket.closeBody(code, new byte[0]), true));
            }
            byte[] rest = RawWebSocket.concat(toSend);
            bytes.add(rest.length);
            try {
                write(socket, script.write(), rest, random);
            } catch (SocketException closedMeanwhile) {
                // the node closed it while frames were on their way: its close frame was sent before
            }
            if (script.ending() == Ending.HANG_UP) {
                outcome("client hung up");
                return false;
            }
            long patience = script.ending() == Ending.NOTHING ? handshakeTimeoutMs + PAD_AFTER_MS : PAD_AFTER_MS;
            long start = script.ending() == Ending.NOTHING ? upgraded : System.nanoTime();
            RawWebSocket.Frame close = awaitClose(socket, start, patience, script.ending() == Ending.NOTHING);
            int code = close.closeCode();
            if (FuzzTest.DOCUMENTED.contains(code)) {
                outcome("close " + code);
            } else if ((sentCloseWith(glued, code) || sentCloseWith(rest, code)) && close.closeReason().isEmpty()) {
                outcome("close " + code + " (its own code echoed)");
            } else {
                throw new AssertionError("closed with an undocumented code " + code + " (" + close.closeReason() + ")");
            }
            switch (script.after()) {
                case HANG_UP -> {
                    return false;
                }
                case GARBAGE -> {
                    byte[] garbage = new byte[random.nextInt(200)];
                    random.nextBytes(garbage);
                    bytes.add(garbage.length);
                    try {
                        socket.send(garbage);
                    } catch (SocketException closed) {
                        // the node had hung up already
                    }
                    return false;
                }
                default -> {
                    abandoned.add(new Abandoned(script, socket, System.nanoTime()));
                    checkAbandoned(ABANDONED_KEPT);
                    return true;
                }
            }
        }

        private void write(RawWebSocket socket, Write write, byte[] bytes, Random random) throws IOException {
            switch (write) {
                case WHOLE -> socket.send(bytes);
                case PIECES -> {
                    int at = 0;
                    while (at < bytes.length) {
                        int end = Math.min(bytes.length, at + 1 + random.nextInt(Math.max(1, bytes.length / 3)));
                        socket.send(bytes, at, end - at);
                        at = end;
                    }
                }
                case BYTE_BY_BYTE -> {
                    int slow = Math.min(bytes.length, 256);
                    socket.sendByteByByte(Arrays.copyOf(bytes, slow));
                    socket.send(bytes, slow, bytes.length - slow);
                }
            }
        }

        /**
         * Reads the node's frames until its close frame: every frame unmasked, binary ones
         * ServerFrames. After {@code patience} ms from {@code start} without a close, pads the
         * stream with zeros (a frame the node still waits for is completed, then the zeros are an
         * unmasked frame: 1002); then the close must come within {@link #CLOSE_BOUND_MS}. Records
         * the time from the last byte written to the close, unless the node timed it itself
         * ({@code nodeTimesIt}: its handshake timeout, unpadded).
         */
        private RawWebSocket.Frame awaitClose(RawWebSocket socket, long start, long patience, boolean nodeTimesIt) throws IOException {
            boolean padded = false;
            long lastWrite = System.nanoTime();
            while (true) {
                long waited = (System.nanoTime() - (padded ? lastWrite : start)) / 1_000_000;
                long limit = padded ? CLOSE_BOUND_MS : patience;
                try {
                    socket.socket().setSoTimeout((int) Math.max(1, limit - waited));
                    RawWebSocket.Frame frame = socket.readFrame();
                    switch (frame.opcode()) {
                        case CLOSE -> {
                            if (frame.payload().length > 125) {
                                throw new AssertionError("a close frame of " + frame.payload().length + " bytes");
                            }
                            if (padded || !nodeTimesIt) { // else the node's handshake timeout closed it
                                slowestCloseMs.accumulate((System.nanoTime() - lastWrite) / 1_000_000);
                            }
                            return frame;
                        }
                        case BINARY -> {
                            try {
                                ServerFrame.parseFrom(frame.payload());
                            } catch (InvalidProtocolBufferException e) {
                                throw new AssertionError("the node sent a binary frame that is not a ServerFrame");
                            }
                        }
                        case PONG -> { }
                        default -> throw new AssertionError("the node sent opcode " + frame.opcode());
                    }
                } catch (SocketTimeoutException e) {
                    if (padded) {
                        throw new AssertionError("no close frame within " + CLOSE_BOUND_MS + " ms of the padding");
                    }
                    padded = true;
                    bytes.add(padding.length);
                    try {
                        socket.send(padding);
                    } catch (SocketException closed) {
                        // the node hung up meanwhile; its close frame is still to be read
                    }
                    lastWrite = System.nanoTime();
                    outcome("padded");
                } catch (EOFException | SocketException e) {
                    throw new AssertionError("the node hung up without a close frame (" + e + ")");
                }
            }
        }

        /** Checks the oldest sockets left open until at most {@code keep} remain: the node hung up on each, and sent nothing after its close. */
        void checkAbandoned(int keep) throws IOException {
            while (abandoned.size() > keep) {
                Abandoned oldest = abandoned.poll();
                RawWebSocket socket = oldest.socket();
                try {
                    long left = CLOSE_BOUND_MS - (System.nanoTime() - oldest.closeFrameNanos()) / 1_000_000;
                    socket.socket().setSoTimeout((int) Math.max(1, left));
                    int b = socket.read();
                    if (b >= 0) {
                        failure(oldest.script(), "the node sent a byte after its close frame");
                    } else {
                        outcome("abandoned, then closed by the node");
                    }
                } catch (SocketTimeoutException e) {
                    failure(oldest.script(), "the node did not hang up within " + CLOSE_BOUND_MS + " ms of its close frame");
                } catch (SocketException reset) {
                    outcome("abandoned, then closed by the node");
                } finally {
                    socket.close();
                }
            }
        }

        private void failure(Script script, String what) {
            if (failures.size() < 50) {
                failures.add(what + " -- " + script.describe());
            }
        }
    }

    private record Abandoned(Script script, RawWebSocket socket, long closeFrameNanos) { }

    private static final byte[] PING_FRAME = ClientFrame.newBuilder().setPing(Ping.newBuilder().setClientTimeMs(1)).build().toByteArray();

    /** Whether {@code sent} holds a masked close frame carrying {@code code} (which the node may echo: the padding holds none). */
    static boolean sentCloseWith(byte[] sent, int code) {
        for (int i = 0; i + 8 <= sent.length; i++) {
            if ((sent[i] & 0xFF) == (FIN | CLOSE) && (sent[i + 1] & 0x80) != 0 && (sent[i + 1] & 0x7F) >= 2 && (sent[i + 1] & 0x7F) <= 125) {
                int sentCode = ((sent[i + 6] ^ sent[i + 2]) & 0xFF) << 8 | ((sent[i + 7] ^ sent[i + 3]) & 0xFF);
                if (sentCode == code) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The outcomes in a line, largest first. */
    String outcomeLine() {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(outcomes().entrySet());
        entries.sort(Collections.reverseOrder(Map.Entry.comparingByValue()));
        return entries.toString();
    }
}
