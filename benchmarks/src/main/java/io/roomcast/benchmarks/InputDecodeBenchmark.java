package io.roomcast.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.roomcast.games.arena.BenchArenaRoom;
import io.roomcast.proto.games.arena.ArenaInput;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Input;
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
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Decoding one W2 input, in its two steps:
 * <ul>
 *   <li>{@code clientFrame}: what the I/O thread does with a received WebSocket message
 *       ({@code Connection.onFullBinaryMessage}): {@code ClientFrame.parseFrom(ByteBuffer)} on the
 *       single buffer Undertow hands over, then the reads {@code dispatch} and {@code input} make
 *       (body case, room id, seq, payload). Undertow's buffers are pooled and direct by default,
 *       hence {@code buffer=direct}; {@code heap} is for comparison. Not counted: the WebSocket
 *       frame parse and unmasking (Undertow's), the rate limiter, the room lookup and the queue.
 *   <li>{@code arenaInput}: what the room thread does with the payload at the next tick
 *       ({@code RoomRuntime.apply}): the game's input parser ({@code BenchArenaRoom.TYPE}) on the
 *       {@code ByteString} taken from a parsed frame.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class InputDecodeBenchmark {

    /** A W2 input as a client sends it: an 8-character room id, a seq, a diagonal stick. */
    static ClientFrame inputFrame() {
        ArenaInput stick = ArenaInput.newBuilder().setDx(0.70710677f).setDy(-0.70710677f).build();
        return ClientFrame.newBuilder()
                .setInput(Input.newBuilder()
                        .setRoomId(StateEncodeBenchmark.ROOM_ID)
                        .setSeq(12_345) // ten minutes at 20 Hz
                        .setPayload(stick.toByteString()))
                .build();
    }

    @State(Scope.Thread)
    public static class Wire {
        @Param({"direct", "heap"})
        public String buffer;

        ByteBuffer bytes;

        @Setup
        public void setUp() {
            byte[] encoded = inputFrame().toByteArray();
            bytes = switch (buffer) {
                case "direct" -> ByteBuffer.allocateDirect(encoded.length);
                case "heap" -> ByteBuffer.allocate(encoded.length);
                default -> throw new IllegalArgumentException("buffer must be direct or heap, was " + buffer);
            };
            bytes.put(encoded).flip();
            System.out.printf("%n# ClientFrame{input}: %d bytes%n", encoded.length);
        }
    }

    @State(Scope.Thread)
    public static class Payload {
        final Parser<ArenaInput> parser = BenchArenaRoom.TYPE.inputParser();
        ByteString payload;

        @Setup
        public void setUp() throws InvalidProtocolBufferException {
            // The ByteString the runtime gets: the one parsed out of a received frame.
            payload = ClientFrame.parseFrom(inputFrame().toByteArray()).getInput().getPayload();
        }
    }

    @Benchmark
    public ByteString clientFrame(Wire wire, Blackhole bh) throws InvalidProtocolBufferException {
        ByteBuffer bytes = wire.bytes;
        bytes.rewind();
        ClientFrame frame = ClientFrame.parseFrom(bytes);
        if (frame.getBodyCase() != ClientFrame.BodyCase.INPUT) {
            throw new IllegalStateException("not an input: " + frame.getBodyCase());
        }
        Input input = frame.getInput();
        bh.consume(frame.getRequestId());
        bh.consume(input.getRoomId());
        bh.consume(input.getSeq());
        return input.getPayload();
    }

    @Benchmark
    public ArenaInput arenaInput(Payload p) throws InvalidProtocolBufferException {
        return p.parser.parseFrom(p.payload);
    }
}
