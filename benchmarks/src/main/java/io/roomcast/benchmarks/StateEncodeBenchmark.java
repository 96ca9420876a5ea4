package io.roomcast.benchmarks;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.roomcast.core.room.Player;
import io.roomcast.core.room.Room;
import io.roomcast.core.runtime.JoinResult;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.core.state.StateEncoder;
import io.roomcast.core.testing.FakeClock;
import io.roomcast.core.testing.FakeRoomContext;
import io.roomcast.core.testing.FakeScheduler;
import io.roomcast.proto.v1.SeatInput;
import io.roomcast.proto.v1.ServerFrame;
import io.roomcast.proto.v1.State;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The room thread's work for one tick, "encode once per tick": one operation is one tick of one
 * room, whose every player moves (so a delta carries every player), ending with the encoded
 * {@code ServerFrame{state}} bytes that go to the whole room.
 *
 * <ul>
 *   <li>{@code roomTick}: a real {@link RoomRuntime} on the fake clock and scheduler, advanced by
 *       one tick period per operation. Each player offers one input per tick, as in W2 (20 Hz
 *       inputs), so the tick drains and parses P inputs, runs {@code onInput} P times,
 *       {@code onTick}, {@code writeState}, the state encoder, the {@code applied} seqs and the
 *       frame's serialization. Also counted: the {@code offerInput} calls (an I/O thread's work in
 *       production) and the fake scheduler's bookkeeping (a synchronized priority queue).
 *   <li>{@code writeAndEncode}: the encode alone, with no runtime: the room's {@code onTick} (to
 *       have a new state; a few float operations per entity), {@code writeState} into a
 *       {@link StateEncoder}, {@code encode}, the {@code applied} seqs as the runtime builds them,
 *       and the {@code ServerFrame} bytes. Inputs are handed straight to the room only when the
 *       stick direction flips (every 20 ticks).
 * </ul>
 *
 * {@code frame=delta}: no periodic keyframe (the game's every-100-ticks keyframe is switched off
 * so it does not blur the delta figure); {@code frame=keyframe}: every tick is a keyframe. Not
 * measured: the output's side (publish, fan-out), which {@link FanoutBenchmark} covers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@org.openjdk.jmh.annotations.State(Scope.Thread)
public class StateEncodeBenchmark {

    static final String ROOM_ID = "k3v9q2xw";
    private static final Duration TICK = Duration.ofMillis(50);
    private static final int SETTLE_TICKS = 100;

    /** Game and players: Orb Rush (the browser demo; 32 is twice its 16 seats) and W2's room. */
    @Param({"orb-rush-8", "orb-rush-32", "bench-arena-8"})
    public String room;

    @Param({"delta", "keyframe"})
    public String frame;

    private RuntimeTick<?> runtimeTick;
    private BareEncode<?> bareEncode;

    @Setup
    public void setUp() {
        Game.Case c = Game.Case.parse(room);
        boolean keyframe = switch (frame) {
            case "delta" -> false;
            case "keyframe" -> true;
            default -> throw new IllegalArgumentException("frame must be delta or keyframe, was " + frame);
        };
        runtimeTick = new RuntimeTick<>(c.game(), c.players(), keyframe);
        bareEncode = new BareEncode<>(c.game(), c.players(), keyframe);
        check("roomTick", runtimeTick.tick(), c.players(), keyframe);
        check("writeAndEncode", bareEncode.encode(), c.players(), keyframe);
    }

    @Benchmark
    public byte[] roomTick() {
        return runtimeTick.tick();
    }

    @Benchmark
    public byte[] writeAndEncode() {
        return bareEncode.encode();
    }

    /** Fails the trial if the frame is not what the benchmark claims to measure; prints its size. */
    private void check(String benchmark, byte[] bytes, int players, boolean keyframe) {
        State state;
        try {
            state = ServerFrame.parseFrom(bytes).getState();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        if (state.getKeyframe() != keyframe || state.getEntitiesCount() < players || state.getAppliedCount() != players) {
            throw new IllegalStateException(benchmark + ": expected a " + frame + " with " + players
                    + " moving players, got keyframe=" + state.getKeyframe() + ", " + state.getEntitiesCount()
                    + " entities, " + state.getAppliedCount() + " applied");
        }
        System.out.printf("%n# %s %s %s: %d bytes, %d entities%n", benchmark, room, frame, bytes.length,
                state.getEntitiesCount());
    }

    /** A real runtime ticked by the fake scheduler; every player sends one input per tick. */
    static final class RuntimeTick<I extends MessageLite> {
        private final FakeClock clock = new FakeClock();
        private final FakeScheduler scheduler = new FakeScheduler(clock);
        private final LastFrameOutput output = new LastFrameOutput();
        private final RoomRuntime<I> runtime;
        private final boolean keyframe;
        private final String[] ids;
        private final ByteString[] forward;
        private final ByteString[] back;
        private int seq;

        RuntimeTick(Game<I> game, int players, boolean keyframe) {
            this.keyframe = keyframe;
            runtime = new RoomRuntime<>(ROOM_ID, game.type(), game.settings(players, Integer.MAX_VALUE),
                    clock, scheduler, output, 42);
            runtime.start();
            SplittableRandom random = new SplittableRandom(7);
            ids = new String[players];
            forward = new ByteString[players];
            back = new ByteString[players];
            for (int i = 0; i < players; i++) {
                ids[i] = Game.playerId(random);
                if (!(runtime.join(ids[i], "player " + i) instanceof JoinResult.Seated(Player player, byte[] joined))) {
                    throw new IllegalStateException("player " + i + " was not seated");
                }
                forward[i] = game.inputs().input(player.seat(), 1).toByteString();
                back[i] = game.inputs().input(player.seat(), -1).toByteString();
            }
            for (int t = 0; t < SETTLE_TICKS; t++) {
                long before = output.roomFrames;
                tick();
                if (output.roomFrames != before + 1) {
                    throw new IllegalStateException("one advance ran " + (output.roomFrames - before) + " ticks");
                }
            }
            if (runtime.discardedInputs() != 0 || runtime.malformedInputs() != 0) {
                throw new IllegalStateException("inputs were dropped");
            }
        }

        byte[] tick() {
            ByteString[] payloads = Game.sign(runtime.tick() + 1) > 0 ? forward : back;
            if (keyframe) {
                runtime.requestRoomKeyframe();
            }
            for (int i = 0; i < ids.length; i++) {
                runtime.offerInput(ids[i], ++seq, payloads[i]);
            }
            scheduler.advance(TICK);
            return output.lastRoomFrame;
        }
    }

    /**
     * The room and the state encoder alone, on the test fixtures' room context: what the
     * runtime's tick does from {@code writeState} to the frame's bytes, plus {@code onTick}.
     */
    static final class BareEncode<I extends MessageLite> {
        private final FakeRoomContext ctx = new FakeRoomContext(20, new SplittableRandom(42));
        private final StateEncoder encoder = new StateEncoder(ROOM_ID, Integer.MAX_VALUE);
        private final Room<I> room;
        private final boolean keyframe;
        private final Player[] players;
        private final I[] forward;
        private final I[] back;
        private final int[] seqs;
        private int sign;

        @SuppressWarnings("unchecked")
        BareEncode(Game<I> game, int count, boolean keyframe) {
            this.keyframe = keyframe;
            room = game.type().factory().get();
            room.onCreate(ctx);
            SplittableRandom random = new SplittableRandom(7);
            players = new Player[count];
            forward = (I[]) new MessageLite[count];
            back = (I[]) new MessageLite[count];
            seqs = new int[count];
            for (int i = 0; i < count; i++) {
                players[i] = ctx.join(room, Game.playerId(random), "player " + i, i);
                forward[i] = game.inputs().input(i, 1);
                back[i] = game.inputs().input(i, -1);
            }
            for (int t = 0; t < SETTLE_TICKS; t++) {
                encode();
            }
        }

        byte[] encode() {
            int next = Game.sign(ctx.tick() + 1);
            if (next != sign) {
                sign = next;
                I[] inputs = sign > 0 ? forward : back;
                for (int i = 0; i < players.length; i++) {
                    ctx.input(room, players[i], inputs[i]);
                    seqs[i]++;
                }
            }
            ctx.step(room);
            room.writeState(encoder);
            if (keyframe) {
                encoder.requestKeyframe();
            }
            State.Builder state = encoder.encode(ctx.tick());
            List<SeatInput> applied = new ArrayList<>(players.length);
            for (int i = 0; i < players.length; i++) {
                applied.add(SeatInput.newBuilder().setSeat(players[i].seat()).setSeq(seqs[i]).build());
            }
            return ServerFrame.newBuilder()
                    .setState(state.addAllApplied(applied).setServerTimeMs(ctx.nowMillis()))
                    .build().toByteArray();
        }
    }
}
