package io.roomcast.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.roomcast.core.loop.TickScheduler;
import io.roomcast.core.room.Player;
import io.roomcast.core.runtime.JoinResult;
import io.roomcast.core.runtime.RoomOutput;
import io.roomcast.core.runtime.RoomRuntime;
import io.roomcast.core.testing.FakeClock;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.hosting.SerialExecutor;
import io.roomcast.gateway.metrics.PrometheusMetrics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the node's metrics cost a room's thread per tick. One operation is one tick of W2's room
 * (bench-arena, 8 players, one input each per tick) as a node runs it: the tick loop's wake-up
 * handed to the room's {@link SerialExecutor} (its pool is the benchmark's thread: the turn runs
 * inline), the {@link RoomRuntime}'s tick (inputs, {@code onTick}, the state encoded), and the
 * output through the node's tick-metrics wrapper ({@link NodeMetrics#timingTicks}), whose timers
 * live in the node's real Micrometer Prometheus registry ({@link PrometheusMetrics}).
 *
 * <ul>
 *   <li>{@code tickWithMetrics}: the above.
 *   <li>{@code tickWithoutMetrics}: the same room and turn with the output unwrapped: the
 *       difference is what the metrics add to a tick.
 *   <li>{@code metricsHooksAlone}: only the calls a tick makes into the wrapper (its recording of
 *       the tick's times), with varying values: the metrics' own cost, without the tick's noise.
 *   <li>{@code turnWithLogContext} / {@code turnWithoutLogContext}: a turn of a room's executor with
 *       one empty task, with and without the room's id in the logging context (SLF4J's MDC, on
 *       Logback) around it: what tagging a room's log lines costs each turn.
 * </ul>
 *
 * Not counted: the timer thread's scheduling (a fake clock stands in for it), the fan-out and
 * publish of the frame (the output keeps the last frame), the scrape.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class TickMetricsBenchmark {

    private static final String GAME = "bench-arena";
    private static final int PLAYERS = 8;

    private NodeTick<?> withMetrics;
    private NodeTick<?> withoutMetrics;
    private RoomOutput hooks;
    private long n;
    private static final Runnable NOTHING = () -> {};
    private final SerialExecutor untagged = new SerialExecutor(Runnable::run, 1024, error -> {});
    private final SerialExecutor tagged = new SerialExecutor(Runnable::run, StateEncodeBenchmark.ROOM_ID, 1024, error -> {});

    @Setup
    public void setUp() {
        NodeMetrics metrics = new NodeMetrics();
        new PrometheusMetrics("bench-node", metrics, List.of(GAME), () -> 0, () -> 0, game -> 0, game -> 0);
        withMetrics = new NodeTick<>(Game.BENCH_ARENA, output -> metrics.timingTicks(GAME, output));
        withoutMetrics = new NodeTick<>(Game.BENCH_ARENA, output -> output);
        hooks = metrics.timingTicks(GAME, new LastFrameOutput());
        if (hooks instanceof LastFrameOutput) {
            throw new IllegalStateException("the game's ticks are not timed: nothing would be measured");
        }
    }

    @Benchmark
    public byte[] tickWithMetrics() {
        return withMetrics.tick();
    }

    @Benchmark
    public byte[] tickWithoutMetrics() {
        return withoutMetrics.tick();
    }

    /** A turn of a room's executor running one empty task, without the room in the logging context. */
    @Benchmark
    public void turnWithoutLogContext() {
        untagged.execute(NOTHING);
    }

    /** The same with the room's id put in the MDC for the turn and taken out after (what every room turn does). */
    @Benchmark
    public void turnWithLogContext() {
        tagged.execute(NOTHING);
    }

    @Benchmark
    public long metricsHooksAlone() {
        long took = 20_000 + (++n & 0xFFFF) * 16; // 20 µs .. 1.07 ms: several buckets
        hooks.tickLate(took >>> 2);
        hooks.tickTook(took);
        return took;
    }

    /** One room on a fake clock, its ticks run as turns of its serial executor. */
    static final class NodeTick<I extends MessageLite> {
        private final FakeClock clock = new FakeClock();
        private final LastFrameOutput output = new LastFrameOutput();
        private final SerialExecutor executor = new SerialExecutor(Runnable::run, StateEncodeBenchmark.ROOM_ID, 1024, error -> {
            throw new IllegalStateException("a tick failed", error);
        });
        private final NextWakeUp scheduler = new NextWakeUp(clock, executor);
        private final RoomRuntime<I> runtime;
        private final String[] ids = new String[PLAYERS];
        private final ByteString[] forward = new ByteString[PLAYERS];
        private final ByteString[] back = new ByteString[PLAYERS];
        private int seq;

        NodeTick(Game<I> game, java.util.function.UnaryOperator<RoomOutput> wrap) {
            runtime = new RoomRuntime<>(StateEncodeBenchmark.ROOM_ID, game.type(), game.settings(PLAYERS, 100),
                    clock, scheduler, wrap.apply(output), 42);
            executor.execute(runtime::start);
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < PLAYERS; i++) {
                int index = i;
                executor.execute(() -> {
                    ids[index] = Game.playerId(random);
                    if (!(runtime.join(ids[index], "player " + index) instanceof JoinResult.Seated(Player player, byte[] joined))) {
                        throw new IllegalStateException("player " + index + " was not seated");
                    }
                    forward[index] = game.inputs().input(player.seat(), 1).toByteString();
                    back[index] = game.inputs().input(player.seat(), -1).toByteString();
                });
            }
            for (int t = 0; t < 100; t++) {
                long before = output.roomFrames;
                tick();
                if (output.roomFrames != before + 1) {
                    throw new IllegalStateException("one wake-up ran " + (output.roomFrames - before) + " ticks");
                }
            }
        }

        byte[] tick() {
            ByteString[] payloads = Game.sign(runtime.tick() + 1) > 0 ? forward : back;
            for (int i = 0; i < PLAYERS; i++) {
                runtime.offerInput(ids[i], ++seq, payloads[i]); // an I/O thread's work in production
            }
            scheduler.runNext();
            return output.lastRoomFrame;
        }
    }

    /**
     * The timer thread of a node reduced to one pending wake-up (a tick loop has one at a time):
     * running it moves the clock to its due time and hands it to the room's executor.
     */
    static final class NextWakeUp implements TickScheduler {
        private final FakeClock clock;
        private final SerialExecutor executor;
        private final Cancellable cancel = () -> this.task = null;
        private Runnable task;
        private long dueNanos;

        NextWakeUp(FakeClock clock, SerialExecutor executor) {
            this.clock = clock;
            this.executor = executor;
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            this.task = task;
            this.dueNanos = clock.nanoTime() + Math.max(0, delayNanos);
            return cancel;
        }

        @Override
        public boolean isOnRoomThread() {
            return executor.isCurrentThread();
        }

        void runNext() {
            Runnable due = task;
            task = null;
            clock.advanceNanos(Math.max(0, dueNanos - clock.nanoTime()));
            executor.execute(due);
        }
    }
}
