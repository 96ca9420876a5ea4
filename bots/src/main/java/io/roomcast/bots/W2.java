package io.roomcast.bots;

import io.roomcast.proto.games.arena.ArenaInput;
import io.roomcast.proto.v1.Joined;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * W2, game rooms at 20 Hz: K rooms of P = 8 players of "bench-arena"; player s of room k on
 * node (k+s) mod N. Every player sends an ArenaInput with a new seq every 50 ms on a fixed
 * schedule; measures input → visible latency (intended send of input n to the first state
 * whose applied seq for the player is ≥ n), tick → client latency (State.server_time_ms to
 * receipt), states per second per client, and tick gaps.
 *
 * <p>Rooms are filled one after another: the first player of room k quick-joins (creating a
 * room, since every earlier room is full), then the others join it by id.
 */
@Command(name = "w2", mixinStandardHelpOptions = true, sortOptions = false,
        description = "W2: K bench-arena rooms of 8 players (player s of room k on node (k+s) mod N), inputs at 20 Hz.")
public final class W2 extends ScenarioCommand implements Scenario {

    public static final String GAME = "bench-arena";

    @Mixin
    RunOptions options;

    @Option(names = {"-k", "--rooms"}, paramLabel = "K", defaultValue = "200",
            description = "Rooms. Default: ${DEFAULT-VALUE}")
    int roomCount;

    @Option(names = "--players-per-room", paramLabel = "P", defaultValue = "8",
            description = "Players per room (bench-arena seats 8). Default: ${DEFAULT-VALUE}")
    int playersPerRoom;

    @Option(names = "--input-hz", paramLabel = "HZ", defaultValue = "20",
            description = "Inputs per second per player, on a fixed schedule. Default: ${DEFAULT-VALUE}")
    int inputHz;

    private Run run;
    private final List<Room> rooms = new ArrayList<>();
    private final List<Player> players = new ArrayList<>();
    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();
    private volatile int tickRateHz;

    private final Latency inputToVisible = new Latency("input_to_visible",
            "input n sent -> first state whose applied seq for the player is >= n, from the intended send time");
    private final Latency inputToVisibleFromActual = new Latency("input_to_visible_from_actual_send",
            "the same, from the actual send time");
    private final Latency tickToClient = new Latency("tick_to_client",
            "State.server_time_ms (when the tick was encoded; ms resolution) -> receipt");
    private final Latency stateInterval = new Latency("state_interval",
            "time between two consecutive states at one client (50 ms is perfect at 20 Hz)");
    private final Latency sendLag = new Latency("send_lag",
            "inputs: actual send time - intended send time (the generator's own lateness)");
    private final LongAdder inputsSentInWindow = new LongAdder();

    @Override
    RunOptions options() {
        return options;
    }

    @Override
    Scenario scenario(Run run) {
        RunOptions.positive("--rooms", roomCount);
        RunOptions.positive("--players-per-room", playersPerRoom);
        RunOptions.positive("--input-hz", inputHz);
        this.run = run;
        return this;
    }

    @Override
    public String name() {
        return "w2";
    }

    @Override
    public int targetConnections() {
        return roomCount * playersPerRoom;
    }

    @Override
    public void describe(Report report) {
        report.parameters.put("rooms", roomCount);
        report.parameters.put("players_per_room", playersPerRoom);
        report.parameters.put("input_hz", inputHz);
        report.parameters.put("room_type", GAME);
        report.parameters.put("nodes", run.urls.size());
        report.parameters.put("ramp_per_s", options.rampPerSecond);
        report.messageKind = "room states delivered to players (every tick of every room to each of its players)";
    }

    // ───────────── setup ─────────────

    final class Room {
        final int index;
        final List<Player> members = new ArrayList<>();
        volatile String id;

        Room(int index) {
            this.index = index;
        }
    }

    @Override
    public void setup(Engine engine) throws InterruptedException {
        SplittableRandom seeds = new SplittableRandom(options.seed);
        for (int k = 0; k < roomCount; k++) {
            Room room = new Room(k);
            rooms.add(room);
            for (int s = 0; s < playersPerRoom; s++) {
                Player p = new Player(run, players.size(), room, run.url(k + s), seeds.split());
                room.members.add(p);
                players.add(p);
            }
        }
        List<CompletableFuture<?>> welcomed = engine.ramp(players.size(), i -> {
            Player p = players.get(i);
            return p.connect().whenComplete((w, failure) -> {
                if (failure != null) {
                    run.error(run.connectErrors, "connect: " + Bot.describe(failure), p.uri.toString());
                    p.abort();
                }
            });
        });
        long deadline = engine.setupDeadlineMicros();
        for (Room room : rooms) {
            List<CompletableFuture<?>> mine = welcomed.subList(room.index * playersPerRoom, (room.index + 1) * playersPerRoom);
            engine.awaitAll(mine);
            List<Player> ready = new ArrayList<>();
            for (int s = 0; s < playersPerRoom; s++) {
                if (mine.get(s).isDone() && !mine.get(s).isCompletedExceptionally()) {
                    ready.add(room.members.get(s));
                }
            }
            if (ready.isEmpty() || run.clock.micros() > deadline) {
                continue;
            }
            Player leader = ready.getFirst();
            Joined joined;
            try {
                joined = leader.quickJoin(GAME).get(timeLeft(deadline), TimeUnit.MICROSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                run.error(run.connectErrors, "join: " + Bot.describe(e), leader.uri.toString());
                continue;
            }
            leader.seated(joined);
            if (joined.getSeat() != 0 || joined.getKeyframe().getEntitiesCount() > 1) {
                run.error(run.protocolErrors, "the first player of a room was seated in a room with players already",
                        "room " + joined.getRoomId() + " seat " + joined.getSeat());
            }
            room.id = joined.getRoomId();
            tickRateHz = joined.getTickRateHz();
            List<CompletableFuture<?>> joins = new ArrayList<>();
            for (Player p : ready.subList(1, ready.size())) {
                joins.add(p.join(room.id).whenComplete((j, failure) -> {
                    if (failure != null) {
                        run.error(run.connectErrors, "join: " + Bot.describe(failure), p.uri.toString());
                    } else {
                        p.seated(j);
                    }
                }));
            }
            engine.awaitAll(joins);
        }
        if (players.stream().noneMatch(p -> p.seated)) {
            throw new Engine.RunFailure("no player could be seated in a " + GAME + " room" + firstError());
        }
    }

    private long timeLeft(long deadline) {
        return Math.max(1, deadline - run.clock.micros());
    }

    private String firstError() {
        return run.firstErrors().isEmpty() ? "" : " (" + run.firstErrors().entrySet().iterator().next() + ")";
    }

    // ───────────── load ─────────────

    @Override
    public void startLoad(long startNanos) {
        long period = 1_000_000_000L / inputHz;
        SplittableRandom phases = new SplittableRandom(options.seed ^ 0x5DEECE66DL);
        for (Player p : players) {
            if (!p.seated) {
                continue;
            }
            long phase = phases.nextLong(period);
            long first = startNanos + phase;
            p.startNanos = first;
            p.period = period;
            schedules.add(run.transport.timer.scheduleAtFixedRate(p::sendInput,
                    Math.max(0, first - System.nanoTime()), period, TimeUnit.NANOSECONDS));
        }
    }

    @Override
    public void stopLoad() {
        schedules.forEach(s -> s.cancel(false));
    }

    @Override
    public Collection<? extends Bot> bots() {
        return players;
    }

    @Override
    public List<Latency> latencies() {
        return List.of(inputToVisible, inputToVisibleFromActual, tickToClient, stateInterval, sendLag);
    }

    @Override
    public String coordinatedOmission() {
        return "Inputs go out on a fixed schedule (every 1/input-hz s per player, each player at its own phase). "
                + "'input_to_visible' is measured from each input's intended send time, so a late send (a stalled "
                + "generator, a busy socket) adds to the latency instead of hiding it; this takes the place of "
                + "recordValueWithExpectedInterval. 'input_to_visible_from_actual_send' is the uncorrected figure.";
    }

    @Override
    public void report(Report report) {
        long seated = 0;
        long expected = 0;
        long delivered = 0;
        long gaps = 0;
        long missed = 0;
        long outOfOrder = 0;
        long visible = 0;
        long overflow = 0;
        int roomsSeated = 0;
        for (Room room : rooms) {
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            long members = 0;
            for (Player p : room.members) {
                if (!p.seated) {
                    continue;
                }
                members++;
                delivered += p.windowStates;
                gaps += p.tickGaps;
                missed += p.ticksMissed;
                outOfOrder += p.outOfOrder;
                visible += p.inputs.visibleInWindow;
                overflow += p.inputs.overflow;
                if (p.windowStates > 0) {
                    min = Math.min(min, p.minTick);
                    max = Math.max(max, p.maxTick);
                }
            }
            seated += members;
            if (members > 0) {
                roomsSeated++;
            }
            if (max >= min) {
                expected += (max - min + 1) * members;
            }
        }
        report.expected = expected;
        report.delivered = delivered;
        report.duplicates = outOfOrder;
        double window = report.windowSeconds;
        report.results.put("rooms_seated", roomsSeated);
        report.results.put("players_seated", seated);
        report.results.put("tick_rate_hz", tickRateHz);
        report.results.put("states_per_s_per_client", seated == 0 || window <= 0 ? 0 : Report.round3(delivered / window / seated));
        report.results.put("tick_gaps", gaps);
        report.results.put("ticks_missed", missed);
        report.results.put("states_out_of_order", outOfOrder);
        long sentInWindow = inputsSentInWindow.sum();
        long scheduled = Math.round(seated * (double) inputHz * window);
        report.results.put("inputs_scheduled_in_window", scheduled);
        report.results.put("inputs_sent_in_window", sentInWindow);
        if (sentInWindow < scheduled * 0.98) {
            report.saturationReasons.add(String.format(java.util.Locale.ROOT,
                    "only %d of the %d inputs scheduled in the window were sent by the end of the drain", sentInWindow, scheduled));
        }
        report.results.put("inputs_visible_in_window", visible);
        report.results.put("inputs_never_visible", Math.max(0, sentInWindow - visible));
        report.results.put("inputs_ring_overflow", overflow);
        report.results.put("note", "expected states per room = (last - first tick encoded in the window + 1) x its players; "
                + "a state belongs to the window by its server_time_ms, an input by its intended send time");
    }

    // ───────────── the bots ─────────────

    final class Player extends Bot {
        final Room room;
        final InputTracker inputs = new InputTracker();
        private final SplittableRandom random;
        volatile boolean seated;
        private volatile String roomId;
        long startNanos;
        long period;
        private long seq;
        // receive side
        private long lastTick;
        private long lastReceived;
        long windowStates;
        long minTick = Long.MAX_VALUE;
        long maxTick = Long.MIN_VALUE;
        long tickGaps;
        long ticksMissed;
        long outOfOrder;

        Player(Run run, int index, Room room, URI uri, SplittableRandom random) {
            super(run, index, uri, "w2-" + room.index + "-" + (index % playersPerRoom));
            this.room = room;
            this.random = random;
        }

        void seated(Joined joined) {
            roomId = joined.getRoomId();
            seated = true;
        }

        @Override
        protected void onJoined(Joined joined) {
            wire.seat = joined.getSeat();
            lastTick = joined.getKeyframe().getTick();
        }

        /** On the timer: the next input, on this player's fixed schedule. */
        void sendInput() {
            long n = ++seq;
            long intended = run.clock.microsAt(startNanos + (n - 1) * period);
            long now = run.clock.micros();
            boolean inWindow = run.inWindow(intended);
            sendLag.record(now - intended, inWindow);
            inputs.sent(n, intended, now);
            if (inWindow) {
                inputsSentInWindow.increment();
            }
            ArenaInput input = ArenaInput.newBuilder()
                    .setDx((float) (random.nextDouble() * 2 - 1))
                    .setDy((float) (random.nextDouble() * 2 - 1))
                    .build();
            send(Frames.input(roomId, (int) n, input));
            run.sent.increment();
        }

        @Override
        protected void onState(Wire wire, long receivedMicros) {
            run.received.increment();
            long tick = wire.tick;
            long serverMicros = wire.serverTimeMs * 1000;
            boolean inWindow = run.inWindow(serverMicros);
            tickToClient.record(receivedMicros - serverMicros, inWindow);
            if (lastReceived != 0) {
                stateInterval.record(receivedMicros - lastReceived, inWindow);
            }
            if (lastTick != 0 && tick != lastTick + 1 && inWindow) {
                if (tick > lastTick + 1) {
                    tickGaps++;
                    ticksMissed += tick - lastTick - 1;
                } else {
                    outOfOrder++;
                }
            }
            lastTick = Math.max(lastTick, tick);
            lastReceived = receivedMicros;
            if (inWindow) {
                windowStates++;
                minTick = Math.min(minTick, tick);
                maxTick = Math.max(maxTick, tick);
            }
            if (wire.appliedFound) {
                inputs.applied(wire.appliedSeq, receivedMicros, run, inputToVisible, inputToVisibleFromActual);
            }
        }
    }
}
