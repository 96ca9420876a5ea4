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

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
public class Play extends ScenarioCommand implements Scenario {

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

    @Option(names = "--resume-wait", paramLabel = "DURATION", defaultValue = "20s", converter = RunOptions.DurationConverter.class,
            description = "After a resume, how long a bot waits for its seat (Joined) before it joins anew. A seat in a room "
                    + "whose owner died comes back once another node took the room over (about two leases). Default: ${DEFAULT-VALUE}")
    Duration resumeWait;

    @Option(names = "--faults", paramLabel = "LIST",
            description = "Inject faults into a local cluster (deploy/local-cluster, see --cluster-dir) while playing, one at a time, "
                    + "each repaired before the next: kill (kill -9 of a gateway), term (SIGTERM: it drains), redis-restart, "
                    + "redis-empty (Redis back without its data), redis-outage (10 s). Comma-separated; the order is seeded by --seed.")
    String faults;

    @Option(names = "--fault-every", paramLabel = "DURATION", defaultValue = "30s", converter = RunOptions.DurationConverter.class,
            description = "From one fault to the next (and at least 3 s after the last one was repaired); the first comes half of it after the warm-up starts. Default: ${DEFAULT-VALUE}")
    Duration faultEvery;

    @Option(names = "--fault-pause", paramLabel = "DURATION", defaultValue = "5s", converter = RunOptions.DurationConverter.class,
            description = "How long a killed or stopped gateway stays down before it is started again. Default: ${DEFAULT-VALUE}")
    Duration faultPause;

    @Option(names = "--cluster-dir", paramLabel = "DIR",
            description = "The state directory of the local cluster to inject faults into (its ROOMCAST_CLUSTER_DIR).")
    Path clusterDir;

    @Option(names = "--local-cluster", paramLabel = "PATH",
            description = "The deploy/local-cluster script. Default: found from the working directory up.")
    Path localCluster;

    @Option(names = "--cluster-env", paramLabel = "NAME=VALUE",
            description = "Environment for the local-cluster script (e.g. a node setting such as LEASE_MS=1500). Repeatable.")
    Map<String, String> clusterEnv = new LinkedHashMap<>();

    private Run run;
    private Faults faultRun;
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
    private final Latency freeze = new Latency("freeze",
            "a seated bot's room went quiet: the gaps between two of its states longer than 250 ms (a takeover, a Redis "
                    + "outage), socket drops aside");
    private final LongAdder states = new LongAdder();
    private final LongAdder windowStates = new LongAdder();
    private final LongAdder eventsReplayed = new LongAdder();
    private final LongAdder chatsSent = new LongAdder();
    private final LongAdder chatsReceived = new LongAdder();
    private final LongAdder joins = new LongAdder();
    private final LongAdder leaves = new LongAdder();
    private final LongAdder drops = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder resumes = new LongAdder();
    private final LongAdder resumeFailures = new LongAdder();
    /** Of those, the ones of a bot that held a seat when its socket dropped: a seat lost. */
    private final LongAdder resumeFailuresWithSeat = new LongAdder();
    private final LongAdder resumedWithoutSeat = new LongAdder();
    private final Latency resume = new Latency("resume",
            "socket dropped -> the same seat given back by a resume (Joined received)");
    private final Latency rollback = new Latency("rollback",
            "a room going on at a higher owner epoch (a takeover): how much of the bot's own play was undone "
                    + "(its inputs the former owner had applied and the new one had not, times the input period)");
    // What a player would call a broken promise: each is 0 in a healthy run, whatever the faults.
    private final LongAdder leftUnexpectedly = new LongAdder();
    private final LongAdder eventsLost = new LongAdder();
    private final LongAdder eventsDuplicated = new LongAdder();
    private final LongAdder eventsMissedSignalled = new LongAdder();
    private final LongAdder ownEventsUnconfirmed = new LongAdder();
    /** The first broken promises, as "at 12.3 s: bot-4 room r: what", to find them in the nodes' logs. */
    private final List<String> anomalies = java.util.Collections.synchronizedList(new ArrayList<>());
    private final LongAdder staleOwnerStates = new LongAdder();
    private final LongAdder roomsRegained = new LongAdder();
    private final LongAdder tickRegressions = new LongAdder();
    private final LongAdder ownerEpochChanges = new LongAdder();

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
        if (faults != null) {
            faultRun = faultsFor(run);
        }
        return this;
    }

    /** The fault sequence of {@code --faults}, on the cluster of {@code --cluster-dir}. */
    private Faults faultsFor(Run run) {
        if (clusterDir == null) {
            throw new IllegalArgumentException("--faults needs --cluster-dir, the state directory of a cluster started by deploy/local-cluster");
        }
        Properties cluster = new Properties();
        try (var reader = Files.newBufferedReader(clusterDir.resolve("cluster.env"))) {
            cluster.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("--cluster-dir " + clusterDir + ": no running local cluster there (" + e.getMessage() + ")");
        }
        Map<String, String> env = new HashMap<>(clusterEnv);
        env.put("ROOMCAST_CLUSTER_DIR", clusterDir.toAbsolutePath().toString());
        return new Faults(localCluster != null ? localCluster : Faults.findScript(), env, Faults.parse(faults),
                Integer.parseInt(cluster.getProperty("NODES", "1")), faultEvery.toMillis(), faultPause.toMillis(),
                options.seed, run.err);
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
        if (faultRun != null) {
            report.parameters.put("faults", faults);
            report.parameters.put("fault_every_s", faultEvery.toMillis() / 1000.0);
            report.parameters.put("fault_pause_s", faultPause.toMillis() / 1000.0);
        }
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
        if (faultRun != null) {
            faultRun.start(faultEvery.toMillis() / 2);
        }
    }

    @Override
    public void stopLoad() {
        seatedAtStop = agents.stream().filter(a -> a.seated).count();
        stopping = true;
        agents.forEach(Agent::stopBehaviour);
        if (faultRun != null) {
            try {
                faultRun.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
        return List.of(inputToVisible, inputToVisibleFromActual, reconnect, resume, rollback, freeze);
    }

    @Override
    public String coordinatedOmission() {
        return "Inputs go out on a fixed schedule; 'input_to_visible' counts from each input's intended send time.";
    }

    @Override
    public void report(Report report) {
        agents.forEach(Agent::settleEvents);
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
        report.results.put("resume_failures_with_a_seat", resumeFailuresWithSeat.sum());
        report.results.put("resumed_without_seat", resumedWithoutSeat.sum());
        report.results.put("left_unexpectedly", leftUnexpectedly.sum());
        report.results.put("seats_lost", seatsLost());
        report.results.put("events_lost", eventsLost.sum());
        report.results.put("events_duplicated", eventsDuplicated.sum());
        report.results.put("events_missed_signalled", eventsMissedSignalled.sum());
        report.results.put("events_replayed", eventsReplayed.sum());
        report.results.put("own_events_unconfirmed", ownEventsUnconfirmed.sum());
        report.results.put("owner_epoch_changes_seen", ownerEpochChanges.sum());
        report.results.put("stale_owner_states", staleOwnerStates.sum());
        report.results.put("rooms_regained", roomsRegained.sum()); // a resume gave back a seat in a room the bot had left
        report.results.put("tick_regressions", tickRegressions.sum());
        synchronized (anomalies) {
            if (!anomalies.isEmpty()) {
                report.results.put("first_anomalies", List.copyOf(anomalies));
            }
        }
        if (faultRun != null) {
            report.results.put("faults_injected", faultRun.log().size());
            report.results.put("fault_log", faultRun.log().stream().map(Faults.Step::toJson).toList());
            // Under faults, the failure model's promises are the pass criteria.
            promise(report, "seats_lost", seatsLost());
            promise(report, "events_lost", eventsLost.sum());
            promise(report, "events_duplicated", eventsDuplicated.sum());
            promise(report, "stale_owner_states", staleOwnerStates.sum());
            promise(report, "tick_regressions", tickRegressions.sum());
            faultRun.log().stream().filter(step -> step.outcome().contains(" failed (") || step.outcome().endsWith("timed out"))
                    .forEach(step -> report.thresholdFailures.add("fault " + step.fault() + " could not be carried out: " + step.outcome()));
        }
    }

    private void anomaly(Agent agent, String what) {
        if (anomalies.size() < 30) {
            anomalies.add(String.format(java.util.Locale.ROOT, "at %.1f s: %s room %s: %s",
                    (System.nanoTime() - startNanos) / 1e9, agent.name, agent.roomId, what));
        }
    }

    private static void promise(Report report, String name, long value) {
        if (value != 0) {
            report.thresholdFailures.add(name + " " + value + " (must be 0)");
        }
    }

    /**
     * Seats a bot had and did not get back: a resume refused while it held a seat (the grace ran
     * out, or the token was not honoured), a resume that brought no seat back, or a Left it did
     * not ask for. (A node forgets a dropped session that holds no seat at once: a bot dropped
     * between a leave and its rejoin is refused its resume, and loses nothing.)
     */
    long seatsLost() {
        return resumeFailuresWithSeat.sum() + resumedWithoutSeat.sum() + leftUnexpectedly.sum();
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
        /** {@link #roomId} as UTF-8, to tell its frames from another room's (a seat given back late). */
        volatile byte[] roomIdBytes;
        /** The last room event offset seen in the room held: the resume cursor. */
        volatile long lastEventOffset;
        volatile String resumeToken;
        // What this seat has seen of its room, to check the room's promises (guarded by the agent).
        private long epochSeen;
        private volatile String nodeId; // the node of its connection, for anomalies
        private long tickSeen;
        private long appliedSeen;
        /** A resume replays the room's events up to here (its Joined's log position). */
        private long replayUpTo;
        /** When the last state of the seat's room arrived (run clock, µs); 0: none since the seat was taken. */
        private long lastStateMicros;
        private long missedSignalled;
        // Offsets of the room's log this seat has not seen: its own events (acked, never sent
        // back) explain some; what is left when the seat moves on is lost.
        private final java.util.TreeSet<Long> gaps = new java.util.TreeSet<>();
        private final java.util.TreeSet<Long> ownOffsets = new java.util.TreeSet<>();
        private int chatAcks;
        /** Own chats whose ack has not come: each may be an event of the log this bot never hears of. */
        private int chatsAwaitingAck;
        private int rejoinAttempts;
        /** Whether the bot held a seat when its socket last dropped (between a leave and its rejoin it holds none). */
        volatile boolean heldSeatAtDrop;
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

        private void room(String id) {
            roomId = id;
            roomIdBytes = id.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        /** A new seat (a join, or a join after a failed resume): its room's history starts at the Joined. */
        synchronized void joined(Conn c, Joined j) {
            if (conn != c) {
                return;
            }
            settleEvents();
            rejoinAttempts = 0;
            room(j.getRoomId());
            lastEventOffset = j.getLastEventOffset();
            epochSeen = j.getKeyframe().getEpoch();
            tickSeen = j.getKeyframe().getTick();
            appliedSeen = appliedOf(j);
            lastStateMicros = 0;
            seated = true;
            joins.increment();
        }

        /**
         * The seat's events are settled (it moves to another room, or the run ends): offsets
         * neither seen nor its own are lost, less those a resume announced as gone.
         */
        synchronized void settleEvents() {
            long unexplained = gaps.size();
            long announced = Math.min(unexplained, missedSignalled);
            // A chat whose ack was lost (the reply crossed a Redis outage) is a gap we cannot tell
            // from a lost event: counted apart, never as a loss nor as fine.
            long unconfirmed = Math.min(unexplained - announced, chatsAwaitingAck);
            if (unexplained - announced - unconfirmed > 0) {
                anomaly(this, "events never heard: " + gaps);
            }
            ownEventsUnconfirmed.add(unconfirmed);
            eventsLost.add(unexplained - announced - unconfirmed);
            chatsAwaitingAck = 0;
            gaps.clear();
            ownOffsets.clear();
            missedSignalled = 0;
        }

        synchronized void chatAnswered() {
            chatsAwaitingAck = Math.max(0, chatsAwaitingAck - 1);
        }

        /** An ack of our own room event: its offset never comes back to us, and is no gap. */
        synchronized void ownEvent(long offset) {
            if (!gaps.remove(offset) && offset > lastEventOffset) {
                ownOffsets.add(offset);
            }
        }

        /**
         * The seat given back by a resume: the cursor stays where it was (the missed events
         * follow), the keyframe is checked like any state.
         */
        synchronized void resumed(Conn c, Joined j) {
            if (conn != c) {
                return;
            }
            if (!j.getRoomId().equals(roomId)) {
                // Another room than the one it played in, whose epochs, ticks and event offsets are
                // its own: with no room, the join it had sent, answered after its socket dropped
                // (the session kept the seat); with a room, a seat in a room it had left (its leave
                // lost on its way to the owner), which the owner kept and the resume gave back.
                if (roomId != null) {
                    anomaly(this, "resumed into room " + j.getRoomId() + ", not its room " + roomId);
                    roomsRegained.increment();
                }
                settleEvents();
                lastEventOffset = j.getLastEventOffset();
                epochSeen = 0;
                tickSeen = 0;
                appliedSeen = 0;
            }
            room(j.getRoomId());
            replayUpTo = j.getLastEventOffset();
            lastStateMicros = 0;
            missedSignalled += j.getEventsMissed();
            eventsMissedSignalled.add(j.getEventsMissed());
            seated = true;
            stateSeen(j.getKeyframe().getEpoch(), j.getKeyframe().getTick(), appliedOf(j), 0, "the resume's keyframe");
        }

        /** The last input seq the Joined's keyframe says the room applied for this seat; -1 if none listed. */
        private static long appliedOf(Joined j) {
            return j.getKeyframe().getAppliedList().stream().filter(a -> a.getSeat() == j.getSeat())
                    .mapToLong(a -> a.getSeq() & 0xFFFF_FFFFL).findFirst().orElse(-1);
        }

        /**
         * A state of the room: its owner's epoch never goes down, and its tick never goes back
         * within an epoch. When the epoch rises (a takeover from a snapshot), what the room forgot
         * of this bot's inputs is its rollback. {@code applied}: the seat's applied seq, -1 if not listed.
         */
        synchronized void stateSeen(long epoch, long tick, long applied, long receivedMicros, String source) {
            if (seated && lastStateMicros > 0 && receivedMicros - lastStateMicros > 250_000) {
                freeze.record(receivedMicros - lastStateMicros, run.inWindow(lastStateMicros));
            }
            lastStateMicros = seated ? receivedMicros : 0;
            if (epoch < epochSeen) {
                if (staleOwnerStates.sum() < 5) {
                    anomaly(this, "state of epoch " + epoch + " tick " + tick + " after epoch " + epochSeen + " (" + source
                            + " from node " + nodeId + ")");
                }
                staleOwnerStates.increment();
                return;
            }
            if (epoch > epochSeen) {
                if (epochSeen > 0) {
                    ownerEpochChanges.increment();
                    if (applied >= 0) {
                        rollback.record(Math.max(0, appliedSeen - applied) * 1_000_000L / inputHz, true);
                    }
                }
                epochSeen = epoch;
                tickSeen = tick;
                appliedSeen = Math.max(0, applied);
                return;
            }
            if (tick < tickSeen) {
                anomaly(this, "tick " + tick + " after " + tickSeen + " at epoch " + epoch);
                tickRegressions.increment();
            } else {
                tickSeen = tick;
            }
            appliedSeen = Math.max(appliedSeen, applied);
        }

        /**
         * A room event: offsets come in order with no gap, each once (a replay and the live
         * traffic never overlap); a gap the resume announced (events_missed) is not a loss.
         */
        synchronized void eventSeen(long offset) {
            if (offset <= lastEventOffset) {
                anomaly(this, "event " + offset + " again (seen up to " + lastEventOffset + ")");
                eventsDuplicated.increment();
                return;
            }
            for (long missing = lastEventOffset + 1; missing < offset; missing++) {
                if (!ownOffsets.remove(missing)) {
                    gaps.add(missing);
                }
            }
            ownOffsets.remove(offset); // ours, replayed to us after a resume
            if (offset <= replayUpTo) {
                eventsReplayed.increment();
            }
            lastEventOffset = offset;
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
                chatAcks = chatAcks % 1_000_000 + 1;
                chatsAwaitingAck++;
                c.send(Frames.emitToRoom(roomId, "chat", ByteString.copyFromUtf8(name + " says hi #" + chatsSent.sum()), chatAcks));
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
                    rejoinLater(c);
                } else {
                    joined(c, j);
                }
            });
        }

        /** A refused rejoin (e.g. Redis unreachable for a moment): a player tries again, so does the bot. */
        private synchronized void rejoinLater(Conn c) {
            long backoff = Math.min(5000, 250L << Math.min(rejoinAttempts++, 5));
            run.transport.timer.schedule(() -> rejoin(c), random.nextLong(backoff + 1), TimeUnit.MILLISECONDS);
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
            lastStateMicros = 0; // a drop is not a freeze of the room: the reconnect latency has it
            heldSeatAtDrop = roomId != null;
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
                    run.transport.timer.schedule(() -> joinIfStillOut(c), resumeWait.toMillis(), TimeUnit.MILLISECONDS);
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
                    reconnected(false);
                }
            });
        }

        /** Seated again after a drop (resumed, or joined anew). */
        synchronized void reconnected(boolean sameSeat) {
            attempt = 0;
            long took = run.clock.micros() - droppedAtMicros;
            reconnect.record(took, run.inWindow(droppedAtMicros));
            if (sameSeat) {
                resume.record(took, run.inWindow(droppedAtMicros));
            }
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
            agent.nodeId = welcome.getNodeId();
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
                agent.resumed(this, joined);
                resumes.increment();
                agent.reconnected(true);
            }
        }

        @Override
        protected boolean onErrorFrame(io.roomcast.proto.v1.Error error) {
            if (error.getCode() == ErrorCode.RESUME_FAILED) {
                resumeFailures.increment();
                if (agent.heldSeatAtDrop) {
                    resumeFailuresWithSeat.increment();
                }
                run.error(run.protocolErrors, "resume failed", error.getMessage());
                anomaly(agent, "resume refused on " + (welcome == null ? "?" : welcome.getNodeId()) + ": " + error.getMessage());
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
                anomaly(agent, "left the room unasked on node " + agent.nodeId + ": " + left.getReason() + " "
                        + left.getDetail());
                leftUnexpectedly.increment();
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
            if (wire.roomIs(agent.roomIdBytes)) {
                agent.stateSeen(wire.epoch, wire.tick, wire.appliedFound ? wire.appliedSeq : -1, receivedMicros, "a state");
            }
            if (wire.appliedFound && agent.seated) {
                agent.inputs.applied(wire.appliedSeq, receivedMicros, run, inputToVisible, inputToVisibleFromActual);
            }
        }

        @Override
        protected void onEvent(Wire wire, ByteBuffer frame, long receivedMicros) {
            chatsReceived.increment();
            if (wire.eventOffset > 0 && !wire.direct && wire.roomIs(agent.roomIdBytes)) {
                agent.eventSeen(wire.eventOffset);
            }
        }

        @Override
        protected void onAck(io.roomcast.proto.v1.Ack ack) {
            super.onAck(ack);
            agent.chatAnswered();
            if (ack.getOk() && ack.getEventOffset() > 0) {
                agent.ownEvent(ack.getEventOffset());
            }
        }

        @Override
        protected void onDropped(int code, String reason) {
            agent.dropped(this);
        }
    }
}
