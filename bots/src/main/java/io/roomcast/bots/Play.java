package io.roomcast.bots;

import com.google.protobuf.ByteString;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.ErrorCode;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.Left;
import io.roomcast.proto.v1.Welcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * "play": bots that play the demo game, orb-rush, like people would: quick-join, steer
 * (inputs at 10 Hz, a new direction every couple of seconds), chat now and then, leave and
 * rejoin now and then, and come back when their connection drops (reconnect with back-off and
 * jitter, resume the session with its token and event cursor; a fresh session and a new
 * quick-join when the resume fails). {@code --drop-every} makes them drop their own sockets to
 * exercise that path. Measures input -> visible latency and states per second; counts joins,
 * leaves, reconnects, resumes and chats.
 */
@Command(name = "play", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Bots playing orb-rush: move, chat, leave and rejoin, reconnect and resume when dropped.")
public final class Play extends ScenarioCommand implements Scenario {

    public static final String GAME = "orb-rush";

    @Mixin
    RunOptions options;

    @Option(names = {"-n", "--bots"}, paramLabel = "N", defaultValue = "100", description = "Bots. Default: ${DEFAULT-VALUE}")
    int botCount;

    @Option(names = "--input-hz", paramLabel = "HZ", defaultValue = "10", description = "Inputs per second per bot. Default: ${DEFAULT-VALUE}")
    int inputHz;

    @Option(names = "--chat-every", paramLabel = "SECONDS", defaultValue = "10",
            description = "Mean seconds between two chat messages of a bot (0: never). Default: ${DEFAULT-VALUE}")
    double chatEvery;

    @Option(names = "--rejoin-every", paramLabel = "SECONDS", defaultValue = "30",
            description = "Mean seconds between a bot's leave-and-rejoin (0: never). Default: ${DEFAULT-VALUE}")
    double rejoinEvery;

    @Option(names = "--drop-every", paramLabel = "SECONDS", defaultValue = "0",
            description = "Mean seconds between a bot dropping its own socket (no close handshake) to test reconnects (0: never). Default: ${DEFAULT-VALUE}")
    double dropEvery;

    private Run run;
    private final List<Agent> agents = new ArrayList<>();
    private volatile boolean stopping;
    private volatile long seatedAtStop;
    /** The room's tick rate as Joined said (0 until a bot is seated): what states_per_s_per_bot compares with. */
    private volatile int tickRateHz;
    private long startNanos;

    private final Latency inputToVisible = new Latency("input_to_visible",
            "input n sent -> first state whose applied seq for the bot is >= n, from the intended send time");
    private final Latency inputToVisibleFromActual = new Latency("input_to_visible_from_actual_send",
            "the same, from the actual send time");
    private final Latency reconnect = new Latency("reconnect",
            "socket dropped -> seated again (resumed or rejoined)");
    private final LongAdder states = new LongAdder();
    private final LongAdder windowStates = new LongAdder();
    private final LongAdder chatsSent = new LongAdder();
    private final LongAdder chatsReceived = new LongAdder();
    private final LongAdder joins = new LongAdder();
    private final LongAdder leaves = new LongAdder();
    private final LongAdder drops = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder resumes = new LongAdder();
    private final LongAdder resumeFailures = new LongAdder();
    private final LongAdder resumedWithoutSeat = new LongAdder();

    @Override
    RunOptions options() {
        return options;
    }

    @Override
    Scenario scenario(Run run) {
        RunOptions.positive("--bots", botCount);
        RunOptions.positive("--input-hz", inputHz);
        if (chatEvery < 0 || rejoinEvery < 0 || dropEvery < 0) {
            throw new IllegalArgumentException("--chat-every, --rejoin-every and --drop-every must be >= 0");
        }
        if (options.maxLoss != null) {
            throw new IllegalArgumentException("--max-loss does not apply to play: it has no expected message count "
                    + "(bots leave, rejoin and drop at random); use --max-p99-ms");
        }
        this.run = run;
        return this;
    }

    @Override
    public String name() {
        return "play";
    }

    @Override
    public int targetConnections() {
        return botCount;
    }

    @Override
    public void describe(Report report) {
        report.parameters.put("bots", botCount);
        report.parameters.put("game", GAME);
        report.parameters.put("input_hz", inputHz);
        report.parameters.put("chat_every_s", chatEvery);
        report.parameters.put("rejoin_every_s", rejoinEvery);
        report.parameters.put("drop_every_s", dropEvery);
        report.parameters.put("nodes", run.urls.size());
        report.messageKind = "room states received; play has no fixed expectation (bots leave, rejoin and drop), so no loss figure";
        report.hasExpectation = false;
    }

    @Override
    public void setup(Engine engine) throws InterruptedException {
        SplittableRandom seeds = new SplittableRandom(options.seed);
        for (int i = 0; i < botCount; i++) {
            agents.add(new Agent(i, run.url(i), seeds.split()));
        }
        List<CompletableFuture<?>> seated = engine.ramp(botCount, i -> agents.get(i).start());
        engine.awaitAll(seated);
        if (agents.stream().noneMatch(a -> a.seated)) {
            throw new Engine.RunFailure("no bot could join an " + GAME + " room"
                    + (run.firstErrors().isEmpty() ? "" : " (" + run.firstErrors().entrySet().iterator().next() + ")"));
        }
    }

    @Override
    public void startLoad(long startNanos) {
        this.startNanos = startNanos;
        for (Agent a : agents) {
            a.startBehaviour();
        }
    }

    @Override
    public void stopLoad() {
        seatedAtStop = agents.stream().filter(a -> a.seated).count();
        stopping = true;
        agents.forEach(Agent::stopBehaviour);
    }

    @Override
    public Collection<? extends Bot> bots() {
        List<Bot> out = new ArrayList<>();
        for (Agent a : agents) {
            if (a.conn != null) {
                out.add(a.conn);
            }
        }
        return out;
    }

    @Override
    public List<Latency> latencies() {
        return List.of(inputToVisible, inputToVisibleFromActual, reconnect);
    }

    @Override
    public String coordinatedOmission() {
        return "Inputs go out on a fixed schedule; 'input_to_visible' counts from each input's intended send time.";
    }

    @Override
    public void report(Report report) {
        report.delivered = windowStates.sum();
        long seated = seatedAtStop;
        report.results.put("bots_seated_at_end_of_load", seated);
        report.results.put("states_received", states.sum());
        report.results.put("states_per_s_per_bot", seated == 0 ? 0
                : Report.round3(windowStates.sum() / report.windowSeconds / seated));
        report.results.put("room_tick_rate_hz", tickRateHz); // a seated bot gets one state per tick
        report.results.put("joins", joins.sum());
        report.results.put("leaves", leaves.sum());
        report.results.put("chats_sent", chatsSent.sum());
        report.results.put("chats_received", chatsReceived.sum());
        report.results.put("drops", drops.sum());
        report.results.put("reconnects", reconnects.sum());
        report.results.put("resumes", resumes.sum());
        report.results.put("resume_failures", resumeFailures.sum());
        report.results.put("resumed_without_seat_back_in_3s", resumedWithoutSeat.sum());
    }

    // ───────────── a bot player across its connections ─────────────

    /**
     * One bot player; its connections come and go ({@link Conn}). Its actions (inputs, chat,
     * leave, rejoin, drop, reconnect) are serialized on the agent: a frame never overtakes the
     * state change that should have stopped it.
     */
    final class Agent {
        final int index;
        final URI uri;
        final String name;
        final SplittableRandom random;
        final InputTracker inputs = new InputTracker();
        volatile Conn conn;
        /** Holding a seat now (inputs and chat go out). */
        volatile boolean seated;
        /** The room whose seat we hold or get back on a resume; null between a leave and the rejoin. */
        volatile String roomId;
        volatile long lastEventOffset;
        volatile String resumeToken;
        private final List<ScheduledFuture<?>> timers = new ArrayList<>();
        private long seq;
        private long slots;
        private float dx;
        private float dy;
        private int attempt;
        private long droppedAtMicros;

        Agent(int index, URI uri, SplittableRandom random) {
            this.index = index;
            this.uri = uri;
            this.name = "bot-" + index;
            this.random = random;
        }

        /** First connect and quick-join. */
        CompletableFuture<?> start() {
            Conn c = new Conn(this, null);
            conn = c;
            return c.connect().thenCompose(w -> c.quickJoin(GAME)).whenComplete((j, failure) -> {
                if (failure != null) {
                    run.error(run.connectErrors, "connect: " + Bot.describe(failure), uri.toString());
                    c.abort();
                } else {
                    joined(c, j);
                }
            });
        }

        synchronized void joined(Conn c, Joined j) {
            if (conn != c) {
                return;
            }
            roomId = j.getRoomId();
            lastEventOffset = Math.max(lastEventOffset, j.getLastEventOffset());
            seated = true;
            joins.increment();
        }

        void startBehaviour() {
            long period = 1_000_000_000L / inputHz;
            long first = startNanos + random.nextLong(period);
            synchronized (timers) {
                timers.add(run.transport.timer.scheduleAtFixedRate(() -> input(first, period),
                        Math.max(0, first - System.nanoTime()), period, TimeUnit.NANOSECONDS));
            }
            scheduleNext(chatEvery, this::chat);
            scheduleNext(rejoinEvery, this::leaveAndRejoin);
            scheduleNext(dropEvery, this::dropSocket);
        }

        void stopBehaviour() {
            synchronized (timers) {
                timers.forEach(t -> t.cancel(false));
                timers.clear();
            }
        }

        /** Runs {@code action} after an exponentially distributed delay of mean {@code meanSeconds}, then again. */
        private void scheduleNext(double meanSeconds, Runnable action) {
            if (meanSeconds <= 0 || stopping) {
                return;
            }
            long delay;
            synchronized (this) {
                delay = (long) (-Math.log(1 - random.nextDouble()) * meanSeconds * 1e6);
            }
            synchronized (timers) {
                timers.add(run.transport.timer.schedule(() -> {
                    if (!stopping) {
                        action.run();
                        scheduleNext(meanSeconds, action);
                    }
                }, delay, TimeUnit.MICROSECONDS));
            }
        }

        /** One slot of the fixed input schedule; skipped (not sent later) while not seated. */
        private synchronized void input(long first, long period) {
            long slot = slots++;
            Conn c = conn;
            if (!seated || c == null || roomId == null) {
                return;
            }
            if (slot % Math.max(1, inputHz * 2L) == 0) {
                double angle = random.nextDouble() * 2 * Math.PI;
                dx = (float) Math.cos(angle);
                dy = (float) Math.sin(angle);
            }
            long n = ++seq;
            long intended = run.clock.microsAt(first + slot * period);
            inputs.sent(n, intended, run.clock.micros());
            c.send(Frames.input(roomId, (int) n, DemoInput.newBuilder().setDx(dx).setDy(dy).build()));
            run.sent.increment();
        }

        private synchronized void chat() {
            Conn c = conn;
            if (seated && c != null && roomId != null) {
                c.send(Frames.emitToRoom(roomId, "chat", ByteString.copyFromUtf8(name + " says hi #" + chatsSent.sum())));
                chatsSent.increment();
                run.sent.increment();
            }
        }

        private synchronized void leaveAndRejoin() {
            Conn c = conn;
            if (!seated || c == null || roomId == null) {
                return;
            }
            c.expectLeft = true;
            c.send(Frames.leave(roomId));
            seated = false;
            roomId = null;
            leaves.increment();
            run.transport.timer.schedule(() -> rejoin(c), 500 + random.nextLong(1500), TimeUnit.MILLISECONDS);
        }

        private synchronized void rejoin(Conn c) {
            if (stopping || conn != c || seated) {
                return; // dropped meanwhile: the reconnect joins
            }
            c.quickJoin(GAME).whenComplete((j, failure) -> {
                if (failure != null) {
                    run.error(run.protocolErrors, "rejoin: " + Bot.describe(failure), null);
                } else {
                    joined(c, j);
                }
            });
        }

        private synchronized void dropSocket() {
            Conn c = conn;
            if (c != null && seated) {
                c.abort();
                dropped(c);
            }
        }

        /** The socket of {@code c} is gone without our asking: reconnect with back-off and jitter. */
        synchronized void dropped(Conn c) {
            if (stopping || conn != c) {
                return;
            }
            drops.increment();
            seated = false;
            droppedAtMicros = run.clock.micros();
            reconnectLater();
        }

        private void reconnectLater() {
            long backoff = Math.min(5000, 250L << Math.min(attempt, 5));
            long delay = backoff / 2 + random.nextLong(backoff / 2 + 1);
            attempt++;
            run.transport.timer.schedule(this::reconnectNow, delay, TimeUnit.MILLISECONDS);
        }

        private synchronized void reconnectNow() {
            if (stopping) {
                return;
            }
            reconnects.increment();
            Conn c = new Conn(this, resumeToken);
            conn = c;
            String heldRoom = roomId;
            c.connect().whenComplete((w, failure) -> {
                if (failure != null) {
                    c.abort();
                    synchronized (this) {
                        if (conn == c && !stopping) {
                            reconnectLater();
                        }
                    }
                } else if (w.getResumed() && heldRoom != null) {
                    // the Joined of the kept seat arrives by itself (Conn.onJoined); if it does not, join anew
                    run.transport.timer.schedule(() -> joinIfStillOut(c), 3, TimeUnit.SECONDS);
                } else {
                    joinAfterReconnect(c);
                }
            });
        }

        private synchronized void joinIfStillOut(Conn c) {
            if (conn == c && c.awaitingResumedSeat && !stopping) {
                c.awaitingResumedSeat = false;
                resumedWithoutSeat.increment();
                joinAfterReconnect(c);
            }
        }

        private void joinAfterReconnect(Conn c) {
            c.quickJoin(GAME).whenComplete((j, f) -> {
                if (f != null) {
                    run.error(run.protocolErrors, "join after reconnect: " + Bot.describe(f), null);
                    synchronized (this) {
                        if (conn == c && !stopping) {
                            c.abort();
                            reconnectLater();
                        }
                    }
                } else {
                    joined(c, j);
                    reconnected();
                }
            });
        }

        /** Seated again after a drop (resumed, or joined anew). */
        synchronized void reconnected() {
            attempt = 0;
            reconnect.record(run.clock.micros() - droppedAtMicros, run.inWindow(droppedAtMicros));
        }
    }

    /** One connection of an {@link Agent}. */
    final class Conn extends Bot {
        final Agent agent;
        final String resumeToken;
        volatile boolean expectLeft;
        volatile boolean awaitingResumedSeat;

        Conn(Agent agent, String resumeToken) {
            super(Play.this.run, agent.index, agent.uri, agent.name);
            this.agent = agent;
            this.resumeToken = resumeToken;
        }

        @Override
        protected byte[] helloFrame() {
            String room = agent.roomId;
            return resumeToken == null ? Frames.hello(name)
                    : Frames.resume(name, resumeToken, room == null ? Map.of() : Map.of(room, agent.lastEventOffset));
        }

        @Override
        protected void onWelcome(Welcome welcome) {
            agent.resumeToken = welcome.getResumeToken();
            awaitingResumedSeat = welcome.getResumed();
        }

        @Override
        protected void onJoined(Joined joined) {
            wire.seat = joined.getSeat();
            tickRateHz = joined.getTickRateHz();
            boolean resumedSeat;
            synchronized (agent) {
                resumedSeat = awaitingResumedSeat;
                awaitingResumedSeat = false;
            }
            if (resumedSeat) {
                agent.joined(this, joined);
                resumes.increment();
                agent.reconnected();
            }
        }

        @Override
        protected boolean onErrorFrame(io.roomcast.proto.v1.Error error) {
            if (error.getCode() == ErrorCode.RESUME_FAILED) {
                resumeFailures.increment();
                return true;
            }
            return false;
        }

        @Override
        protected void onLeft(Left left) {
            if (expectLeft && left.getReason() == io.roomcast.proto.v1.LeaveReason.LEAVE_REQUESTED) {
                expectLeft = false;
                return;
            }
            super.onLeft(left);
            if (!closing) {
                synchronized (agent) {
                    agent.seated = false;
                    agent.roomId = null;
                }
                agent.rejoin(this);
            }
        }

        @Override
        protected void onState(Wire wire, long receivedMicros) {
            states.increment();
            run.received.increment();
            if (run.inWindow(wire.serverTimeMs * 1000)) {
                windowStates.increment();
            }
            if (wire.appliedFound && agent.seated) {
                agent.inputs.applied(wire.appliedSeq, receivedMicros, run, inputToVisible, inputToVisibleFromActual);
            }
        }

        @Override
        protected void onEvent(Wire wire, ByteBuffer frame, long receivedMicros) {
            chatsReceived.increment();
            if (wire.eventOffset > 0) {
                agent.lastEventOffset = Math.max(agent.lastEventOffset, wire.eventOffset);
            }
        }

        @Override
        protected void onDropped(int code, String reason) {
            agent.dropped(this);
        }
    }
}
