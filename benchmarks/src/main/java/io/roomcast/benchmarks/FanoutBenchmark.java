package io.roomcast.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.roomcast.core.runtime.JoinResult;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.core.testing.FakeClock;
import io.roomcast.core.testing.FakeScheduler;
import io.roomcast.games.orbrush.OrbRushRoom;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.ServerFrame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One room frame delivered to the {@code members} sockets of one node: the per-member work
 * that Roomcast's own code does, in plain Java, with no socket. One operation is one frame to
 * every member. The frame is a real W1 broadcast: the {@code ServerFrame{event}} that
 * {@code RoomRuntime.emit} encodes for a 100-byte payload, with its sender excluded (so the
 * except-check compares two player ids for every member, as {@code RoomFanout.deliver} does).
 *
 * <p>Every variant does, per member, what {@code RoomFanout.deliver}, {@code Session.send} and
 * {@code Connection.send} do: iterate the members' {@link CopyOnWriteArrayList}, the except
 * check, read the session's volatile connection, the closing flag, the send-queue byte count
 * ({@code addAndGet} and the limit), the frames-out {@link LongAdder}; then it hands the
 * member's connection what would be written (a store into a 16-slot ring standing for the
 * write queue), and does the send completion's {@code addAndGet(-size)} (on an I/O thread in
 * production). That is the walk as the sending thread did it until the tenth performance session;
 * since then each I/O thread walks its own group of the members ({@code ws.Recipients}) with the
 * same checks, and counts frames-out once per group. The variants differ in what is handed over:
 * <ul>
 *   <li>{@code wrapPerMember} (the send path before the socket layer of the optimisation issue): {@code ByteBuffer.wrap(frame)} per member, as passed to
 *       {@code WebSockets.sendBinary}; Undertow then frames it per member (not counted here).
 *   <li>{@code headerPerMember}: per-member framing done by us: a new 2–10-byte WebSocket header
 *       buffer per member plus the wrapped payload (two buffers for a gathering write). A floor
 *       for what per-member framing costs; Undertow's own per-send objects cost more.
 *   <li>{@code preparedViewPerMember}: "prepare once, write many": the complete server-to-client
 *       wire frame (header + payload; unmasked) is built once per operation, and each member
 *       gets its own view of it ({@code ByteBuffer.wrap}: each socket needs its own position).
 *   <li>{@code preparedShared}: prepared once, and every member gets the same immutable frame,
 *       no per-member object (the writer keeps an offset per connection, and one view per I/O
 *       thread per frame): no allocation per delivery. This is what the gateway does now
 *       ({@code ws.wire.WireFrame}, {@code ws.IoLoop}, {@code ws.WsSocket}).
 * </ul>
 *
 * <p>Since 2026-12-05 (seventh performance session) the per-member part of that work runs on the
 * socket's own I/O thread ({@code ws.SendBurst}): measured here, single-threaded with warm caches,
 * it is ~24 ns per member, but profiled in a node, where the room's thread touched sockets whose
 * state another core had just written, it was ~0.6 µs (docs/benchmarks.md).
 *
 * <p>Not measured, by construction: the kernel's write (a few µs per small loopback write),
 * Undertow's frame channels, pooled buffers and listener calls behind {@code sendBinary},
 * handing tasks to the I/O threads (once one task per frame per member), the JDK copying a
 * heap buffer into a temporary direct buffer on every socket write (a prepared direct buffer
 * would be copied zero times instead of once per member), and cache misses of a node whose
 * sessions are spread over a large heap.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class FanoutBenchmark {

    /** W1's payload size, bytes. */
    static final int W1_PAYLOAD = 100;
    /** The gateway's default {@code --send-queue-bytes}. */
    static final long SEND_QUEUE_BYTES = 262_144;
    private static final byte FIN_BINARY = (byte) 0x82;

    @Param({"100", "1000"})
    public int members;

    private final CopyOnWriteArrayList<Member> list = new CopyOnWriteArrayList<>();
    private final LongAdder framesOut = new LongAdder();
    private byte[] frame;
    private String except;

    /** Stands for a gateway {@code Session}: an id and a volatile link to its connection. */
    static final class Member {
        final String id;
        volatile Conn connection;

        Member(String id, Conn connection) {
            this.id = id;
            this.connection = connection;
        }
    }

    /**
     * Stands for {@code ws.Connection}'s send side: the closing flag, the bytes handed over and
     * not yet written, and where the next write goes (a ring standing for the write queue).
     */
    static final class Conn {
        final AtomicBoolean closing = new AtomicBoolean();
        final AtomicLong queuedBytes = new AtomicLong();
        final Object[] outbox = new Object[16];
        int tail;

        void hand(Object write) {
            outbox[tail++ & 15] = write;
        }
    }

    @Setup
    public void setUp() throws InvalidProtocolBufferException {
        // The frame: a W1 broadcast encoded by a real room runtime.
        FakeClock clock = new FakeClock();
        LastFrameOutput output = new LastFrameOutput();
        RoomRuntime<DemoInput> runtime = new RoomRuntime<>(StateEncodeBenchmark.ROOM_ID, OrbRushRoom.TYPE,
                OrbRushRoom.TYPE.settings(), clock, new FakeScheduler(clock), output, 42);
        runtime.start();
        SplittableRandom random = new SplittableRandom(11);
        String publisher = Game.playerId(random);
        if (!(runtime.join(publisher, "publisher") instanceof JoinResult.Seated)) {
            throw new IllegalStateException("publisher not seated");
        }
        byte[] payload = new byte[W1_PAYLOAD];
        random.nextBytes(payload);
        if (!runtime.emit(publisher, "w1", ByteString.copyFrom(payload), null).ok()) {
            throw new IllegalStateException("emit failed");
        }
        frame = output.lastRoomFrame;
        except = output.lastExcept;
        if (!ServerFrame.parseFrom(frame).hasEvent() || !publisher.equals(except)) {
            throw new IllegalStateException("expected an event frame excluding its sender");
        }

        // The node's members of the room: the publisher and members - 1 subscribers.
        list.addIfAbsent(new Member(publisher, new Conn()));
        while (list.size() < members) {
            list.addIfAbsent(new Member(Game.playerId(random), new Conn()));
        }

        // Each variant must reach every member but the sender, and the prepared frame must be
        // the WebSocket frame of the payload.
        int reached = members - 1;
        for (int n : new int[] {wrapPerMember(), headerPerMember(), preparedViewPerMember(), preparedShared()}) {
            if (n != reached) {
                throw new IllegalStateException("delivered to " + n + " members, expected " + reached);
            }
        }
        byte[] wire = prepare(frame);
        int header = headerLength(frame.length);
        if (wire[0] != FIN_BINARY || wire.length != header + frame.length
                || !Arrays.equals(wire, header, wire.length, frame, 0, frame.length)) {
            throw new IllegalStateException("bad prepared frame");
        }
        System.out.printf("%n# frame: %d bytes (ServerFrame{event}, %d-byte payload) + %d-byte WebSocket header%n",
                frame.length, W1_PAYLOAD, header);
    }

    @Benchmark
    public int wrapPerMember() {
        byte[] bytes = frame;
        int size = bytes.length;
        int delivered = 0;
        for (Member member : list) {
            if (except == null || !except.equals(member.id)) {
                Conn conn = member.connection;
                if (conn != null && admit(conn, size)) {
                    conn.hand(ByteBuffer.wrap(bytes));
                    complete(conn, size);
                    delivered++;
                }
            }
        }
        return delivered;
    }

    @Benchmark
    public int headerPerMember() {
        byte[] bytes = frame;
        int size = bytes.length;
        int delivered = 0;
        for (Member member : list) {
            if (except == null || !except.equals(member.id)) {
                Conn conn = member.connection;
                if (conn != null && admit(conn, size)) {
                    ByteBuffer header = ByteBuffer.allocate(headerLength(size));
                    putHeader(header, size);
                    conn.hand(header.flip());
                    conn.hand(ByteBuffer.wrap(bytes));
                    complete(conn, size);
                    delivered++;
                }
            }
        }
        return delivered;
    }

    @Benchmark
    public int preparedViewPerMember() {
        byte[] wire = prepare(frame);
        int size = wire.length;
        int delivered = 0;
        for (Member member : list) {
            if (except == null || !except.equals(member.id)) {
                Conn conn = member.connection;
                if (conn != null && admit(conn, size)) {
                    conn.hand(ByteBuffer.wrap(wire));
                    complete(conn, size);
                    delivered++;
                }
            }
        }
        return delivered;
    }

    @Benchmark
    public int preparedShared() {
        byte[] wire = prepare(frame);
        int size = wire.length;
        int delivered = 0;
        for (Member member : list) {
            if (except == null || !except.equals(member.id)) {
                Conn conn = member.connection;
                if (conn != null && admit(conn, size)) {
                    conn.hand(wire);
                    complete(conn, size);
                    delivered++;
                }
            }
        }
        return delivered;
    }

    /** {@code Connection.send}'s checks and accounting before the write. */
    private boolean admit(Conn conn, int size) {
        if (conn.closing.get()) {
            return false;
        }
        if (conn.queuedBytes.addAndGet(size) > SEND_QUEUE_BYTES) {
            conn.queuedBytes.addAndGet(-size);
            return false;
        }
        framesOut.increment();
        return true;
    }

    /** {@code Connection.SendCompletion.complete}: the write finished. */
    private static void complete(Conn conn, int size) {
        conn.queuedBytes.addAndGet(-size);
    }

    /** The complete server-to-client WebSocket frame: FIN + binary opcode, length, no mask. */
    static byte[] prepare(byte[] payload) {
        int header = headerLength(payload.length);
        byte[] wire = new byte[header + payload.length];
        putHeader(ByteBuffer.wrap(wire), payload.length);
        System.arraycopy(payload, 0, wire, header, payload.length);
        return wire;
    }

    static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    static void putHeader(ByteBuffer out, int payloadLength) {
        out.put(FIN_BINARY);
        if (payloadLength < 126) {
            out.put((byte) payloadLength);
        } else if (payloadLength <= 0xFFFF) {
            out.put((byte) 126).putShort((short) payloadLength);
        } else {
            out.put((byte) 127).putLong(payloadLength);
        }
    }
}
