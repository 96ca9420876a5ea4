package io.roomcast.bots;

import com.google.protobuf.UnsafeByteOperations;
import io.roomcast.proto.v1.Joined;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * W1, room broadcast fan-out (docs of the workloads): one room of type "bench-broadcast";
 * {@code C} subscribers, client i on node i mod N; one publisher on node 0 emitting an
 * S-byte event to the room R times a second. Every subscriber receives every event; the
 * publisher does not receive its own. Latency = receipt − send time carried in the payload.
 *
 * <p>Payload: bytes 0..7 the intended send time (µs since the epoch, little-endian), 8..15 the
 * actual send time, 16..23 the sequence number, zeros up to S. The publisher sends on a fixed
 * schedule; the main latency counts from the intended time (coordinated omission corrected).
 */
@Command(name = "w1", mixinStandardHelpOptions = true, sortOptions = false,
        description = "W1: one bench-broadcast room, C subscribers (client i on node i mod N), one publisher on node 0 "
                + "emitting an S-byte event to the room R times a second.")
public final class W1 extends ScenarioCommand implements Scenario {

    public static final String GAME = "bench-broadcast";
    public static final String EVENT = "w1";
    static final int HEADER_BYTES = 24;

    @Mixin
    RunOptions options;

    @Option(names = {"-c", "--subscribers"}, paramLabel = "C", defaultValue = "1000",
            description = "Subscribers in the room. Default: ${DEFAULT-VALUE}")
    int subscribers;

    @Option(names = {"-r", "--rate"}, paramLabel = "R", defaultValue = "20",
            description = "Events the publisher emits per second. Default: ${DEFAULT-VALUE}")
    int rate;

    @Option(names = {"-s", "--payload-bytes"}, paramLabel = "S", defaultValue = "100",
            description = "Payload size of each event (>= " + HEADER_BYTES + "). Default: ${DEFAULT-VALUE}")
    int payloadBytes;

    private Run run;
    private Publisher publisher;
    private final List<Subscriber> subs = new ArrayList<>();
    private ScheduledFuture<?> publishing;
    private String roomId;

    private final Latency latency = new Latency("broadcast",
            "emit to the room -> receipt by a subscriber, from the intended send time");
    private final Latency latencyFromActual = new Latency("broadcast_from_actual_send",
            "the same, from the actual send time (no correction for late sends)");
    private final Latency sendLag = new Latency("send_lag",
            "publisher: actual send time - intended send time (the generator's own lateness)");

    /** Subscribers seated and still connected: what an in-window emit is expected to reach. */
    private final LongAdder liveSubscribers = new LongAdder();
    private final LongAdder published = new LongAdder();
    private final LongAdder publishedInWindow = new LongAdder();
    private final LongAdder expected = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder sequenceGaps = new LongAdder();
    private final LongAdder statesSeen = new LongAdder();

    @Override
    RunOptions options() {
        return options;
    }

    @Override
    Scenario scenario(Run run) {
        RunOptions.positive("--subscribers", subscribers);
        RunOptions.positive("--rate", rate);
        if (payloadBytes < HEADER_BYTES) {
            throw new IllegalArgumentException("--payload-bytes must be >= " + HEADER_BYTES + " (send times and a seq), was " + payloadBytes);
        }
        this.run = run;
        return this;
    }

    @Override
    public String name() {
        return "w1";
    }

    @Override
    public int targetConnections() {
        return subscribers + 1;
    }

    @Override
    public void describe(Report report) {
        report.parameters.put("subscribers", subscribers);
        report.parameters.put("rate_per_s", rate);
        report.parameters.put("payload_bytes", payloadBytes);
        report.parameters.put("room_type", GAME);
        report.parameters.put("nodes", run.urls.size());
        report.parameters.put("ramp_per_s", options.rampPerSecond);
        report.messageKind = "room events delivered to subscribers (publisher -> every subscriber)";
    }

    // ───────────── setup ─────────────

    @Override
    public void setup(Engine engine) throws InterruptedException {
        publisher = new Publisher(run, run.url(0));
        Joined joined;
        try {
            publisher.connect().get(run.options.setupTimeout.toMillis(), TimeUnit.MILLISECONDS);
            joined = publisher.quickJoin(GAME).get(run.options.setupTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            run.error(run.connectErrors, "publisher: " + Bot.describe(e), null);
            throw new Engine.RunFailure("the publisher could not join a " + GAME + " room on " + run.url(0) + ": " + Bot.describe(e));
        }
        roomId = joined.getRoomId();
        for (int i = 0; i < subscribers; i++) {
            subs.add(new Subscriber(run, i, run.url(i)));
        }
        List<CompletableFuture<?>> seated = engine.ramp(subscribers, i -> {
            Subscriber s = subs.get(i);
            return s.connect()
                    .thenCompose(w -> s.join(roomId))
                    .whenComplete((j, failure) -> {
                        if (failure != null) {
                            run.error(run.connectErrors, "subscriber: " + Bot.describe(failure), s.uri.toString());
                            s.abort();
                        } else {
                            s.seated = true;
                            liveSubscribers.increment();
                        }
                    });
        });
        engine.awaitAll(seated);
        if (liveSubscribers.sum() == 0) {
            throw new Engine.RunFailure("no subscriber could join room " + roomId + firstError());
        }
    }

    private String firstError() {
        return run.firstErrors().isEmpty() ? "" : " (" + run.firstErrors().entrySet().iterator().next() + ")";
    }

    // ───────────── load ─────────────

    @Override
    public void startLoad(long startNanos) {
        long period = 1_000_000_000L / rate;
        publishing = run.transport.timer.scheduleAtFixedRate(new Runnable() {
            long n;

            @Override
            public void run() {
                long intended = run.clock.microsAt(startNanos + n * period);
                long seq = ++n;
                long now = run.clock.micros();
                boolean inWindow = run.inWindow(intended);
                sendLag.record(now - intended, inWindow);
                byte[] payload = new byte[payloadBytes];
                putLong(payload, 0, intended);
                putLong(payload, 8, now);
                putLong(payload, 16, seq);
                if (inWindow) {
                    expected.add(liveSubscribers.sum());
                    publishedInWindow.increment();
                }
                published.increment();
                run.sent.increment();
                publisher.send(Frames.emitToRoom(roomId, EVENT, UnsafeByteOperations.unsafeWrap(payload)));
            }
        }, Math.max(0, startNanos - System.nanoTime()), period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void stopLoad() {
        if (publishing != null) {
            publishing.cancel(false);
        }
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    @Override
    public Collection<? extends Bot> bots() {
        List<Bot> all = new ArrayList<>(subs);
        if (publisher != null) {
            all.add(publisher);
        }
        return all;
    }

    @Override
    public List<Latency> latencies() {
        return List.of(latency, latencyFromActual, sendLag);
    }

    @Override
    public String coordinatedOmission() {
        return "The publisher emits on a fixed schedule (every 1/R s) and each payload carries its intended send time; "
                + "'broadcast' counts from that intended time, so a late send (a stalled generator or a full socket) "
                + "shows as latency instead of being hidden. 'broadcast_from_actual_send' counts from the actual send.";
    }

    @Override
    public void report(Report report) {
        report.expected = expected.sum();
        report.delivered = delivered.sum();
        report.duplicates = duplicates.sum();
        report.results.put("room_id", roomId);
        report.results.put("subscribers_seated", subs.stream().filter(s -> s.seated).count());
        report.results.put("events_published", published.sum());
        long scheduled = Math.round(rate * report.windowSeconds);
        report.results.put("events_scheduled_in_window", scheduled);
        report.results.put("events_published_in_window", publishedInWindow.sum());
        if (publishedInWindow.sum() < scheduled) {
            report.saturationReasons.add(String.format(java.util.Locale.ROOT,
                    "only %d of the %d emits scheduled in the window were sent by the end of the drain",
                    publishedInWindow.sum(), scheduled));
        }
        report.results.put("sequence_gaps", sequenceGaps.sum());
        report.results.put("room_states_received", statesSeen.sum());
        report.results.put("note", GAME + " ticks at 1 Hz (every room ticks): subscribers also get one empty state a second, not counted as deliveries");
        if (report.generator.get("receive_threads_us_per_message") instanceof Double perMessage) {
            int readers = Math.min(run.options.clients, Runtime.getRuntime().availableProcessors());
            double burstMs = perMessage * subs.stream().filter(s -> s.seated).count() / readers / 1000.0;
            report.generator.put("burst_read_ms_estimate", Report.round3(burstMs));
            report.generator.put("burst_note", String.format(java.util.Locale.ROOT,
                    "every emit reaches the generator as one message per subscriber at once; its %d selector thread(s) "
                            + "read them at about %.1f us each, so the last subscriber of a burst is served about %.1f ms "
                            + "after the first: up to that much of each latency is the generator's own",
                    readers, perMessage, burstMs));
        }
    }

    // ───────────── the bots ─────────────

    final class Publisher extends Bot {
        Publisher(Run run, URI uri) {
            super(run, -1, uri, "w1-publisher");
        }

        @Override
        protected void onEvent(Wire wire, ByteBuffer frame, long receivedMicros) {
            run.error(run.protocolErrors, "the publisher received an event (its own?)", null);
        }
    }

    final class Subscriber extends Bot {
        volatile boolean seated;
        private long lastSeq;

        Subscriber(Run run, int index, URI uri) {
            super(run, index, uri, "w1-sub-" + index);
        }

        @Override
        protected void onEvent(Wire wire, ByteBuffer frame, long receivedMicros) {
            if (wire.payloadLength < HEADER_BYTES) {
                run.error(run.protocolErrors, "an event without the W1 header", null);
                return;
            }
            long intended = wire.longAt(wire.payloadOffset);
            long actual = wire.longAt(wire.payloadOffset + 8);
            long seq = wire.longAt(wire.payloadOffset + 16);
            boolean inWindow = run.inWindow(intended);
            if (seq <= lastSeq) {
                duplicates.increment();
                return;
            }
            if (lastSeq != 0 && seq != lastSeq + 1) {
                sequenceGaps.increment();
            }
            lastSeq = seq;
            run.received.increment();
            latency.record(receivedMicros - intended, inWindow);
            latencyFromActual.record(receivedMicros - actual, inWindow);
            if (inWindow) {
                delivered.increment();
            }
        }

        @Override
        protected void onState(Wire wire, long receivedMicros) {
            statesSeen.increment();
        }

        @Override
        protected void onDropped(int code, String reason) {
            if (seated) {
                seated = false;
                liveSubscribers.decrement();
            }
        }
    }
}
