package io.roomcast.bots;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Idle connections: N players that say hello and then only ping now and then, the way a lobby
 * full of players waits. Measures what each connection costs a node: the live heap of every
 * node given with {@code --server-pid} before the first connection and with all of them open,
 * both after a full GC ({@code jcmd <pid> GC.class_histogram} counts live objects only).
 */
@Command(name = "idle", mixinStandardHelpOptions = true, sortOptions = false,
        description = "N idle connections (hello, then a ping every --ping-every): the node's live heap per connection, "
                + "measured with jcmd on each --server-pid before and after connecting.")
public final class Idle extends ScenarioCommand implements Scenario {

    private static final int JCMD_TIMEOUT_SECONDS = 30;
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    @Mixin
    RunOptions options;

    @Option(names = {"-n", "--connections"}, paramLabel = "N", defaultValue = "10000",
            description = "Connections to open (client i on node i mod the number of --url). Default: ${DEFAULT-VALUE}")
    int connections;

    @Option(names = "--ping-every", paramLabel = "SECONDS", defaultValue = "5",
            description = "Each connection pings once per this many seconds (spread out), to show the node still "
                    + "answers every socket. Default: ${DEFAULT-VALUE}")
    int pingEverySeconds;

    private Run run;
    /** The --server-pid entries that are not Redis, parsed once. */
    private List<ServerProcess> nodes;
    private final List<Sleeper> sleepers = new ArrayList<>();
    private final LongAdder open = new LongAdder();
    private final LongAdder pingsSent = new LongAdder();
    private final LongAdder pongs = new LongAdder();
    private final Map<String, Long> liveHeapBefore = new LinkedHashMap<>();
    private final Map<String, Long> liveHeapAfter = new LinkedHashMap<>();
    private long openAtEnd;
    private ScheduledFuture<?> pinging;
    private final Latency pingRtt = new Latency("ping_rtt", "ping -> pong round trip of an idle connection");

    @Override
    RunOptions options() {
        return options;
    }

    @Override
    Scenario scenario(Run run) {
        RunOptions.positive("--connections", connections);
        RunOptions.positive("--ping-every", pingEverySeconds);
        this.nodes = ServerProcess.parse(options.serverPids).stream().filter(p -> !p.redis()).toList();
        this.run = run;
        return this;
    }

    @Override
    public String name() {
        return "idle";
    }

    @Override
    public int targetConnections() {
        return connections;
    }

    @Override
    public void describe(Report report) {
        report.parameters.put("connections", connections);
        report.parameters.put("ping_every_s", pingEverySeconds);
        report.parameters.put("nodes", run.urls.size());
        report.parameters.put("ramp_per_s", options.rampPerSecond);
        report.messageKind = "pongs received (one ping per connection every --ping-every seconds)";
    }

    @Override
    public void setup(Engine engine) throws InterruptedException {
        nodes.forEach(n -> liveHeap(n.pid()).ifPresent(bytes -> liveHeapBefore.put(n.label(), bytes)));
        for (int i = 0; i < connections; i++) {
            sleepers.add(new Sleeper(run, i));
        }
        List<CompletableFuture<?>> welcomed = engine.ramp(connections, i -> {
            Sleeper s = sleepers.get(i);
            return s.connect().whenComplete((w, failure) -> {
                if (failure != null) {
                    run.error(run.connectErrors, "connect: " + Bot.describe(failure), s.uri.toString());
                    s.abort();
                } else {
                    open.increment();
                }
            });
        });
        engine.awaitAll(welcomed);
        if (open.sum() == 0) {
            throw new Engine.RunFailure("no connection could be opened");
        }
    }

    @Override
    public void startLoad(long startNanos) {
        // A tick every 100 ms pings the next slice of connections: each once per --ping-every.
        int slices = pingEverySeconds * 10;
        pinging = run.transport.timer.scheduleAtFixedRate(new Runnable() {
            long tick;

            @Override
            public void run() {
                int slice = (int) (tick++ % slices);
                for (int i = slice; i < sleepers.size(); i += slices) {
                    Sleeper s = sleepers.get(i);
                    if (s.isOpen()) {
                        pingsSent.increment();
                        run.sent.increment();
                        s.send(Frames.ping(System.currentTimeMillis()));
                    }
                }
            }
        }, Math.max(0, startNanos - System.nanoTime()), 100, TimeUnit.MILLISECONDS);
    }

    /** The load ends with every connection still open: the moment to weigh the nodes. */
    @Override
    public void stopLoad() {
        if (pinging != null) {
            pinging.cancel(false);
        }
        openAtEnd = sleepers.stream().filter(Bot::isOpen).count();
        nodes.forEach(n -> liveHeap(n.pid()).ifPresent(bytes -> liveHeapAfter.put(n.label(), bytes)));
    }

    @Override
    public Collection<? extends Bot> bots() {
        return sleepers;
    }

    @Override
    public List<Latency> latencies() {
        return List.of(pingRtt);
    }

    @Override
    public String coordinatedOmission() {
        return "Pings are sent on a fixed schedule and timed from the send; a ping never answered counts as lost.";
    }

    @Override
    public void report(Report report) {
        report.expected = pingsSent.sum();
        report.delivered = pongs.sum();
        report.results.put("connections_open_at_load_end", openAtEnd);
        for (int node = 0; node < nodes.size(); node++) {
            String label = nodes.get(node).label();
            // Connection i went to URL i mod n: the k-th node given got every n-th connection.
            long conns = node < run.urls.size() ? (openAtEnd + run.urls.size() - 1 - node) / run.urls.size() : 0;
            Long before = liveHeapBefore.get(label);
            Long after = liveHeapAfter.get(label);
            if (before == null || after == null || conns == 0) {
                report.results.put(label + "_live_heap", "not measured (no connection to it, or jcmd failed)");
                continue;
            }
            report.results.put(label + "_connections", conns);
            report.results.put(label + "_live_heap_before_mib", Report.round3(before / 1048576.0));
            report.results.put(label + "_live_heap_after_mib", Report.round3(after / 1048576.0));
            report.results.put(label + "_live_heap_per_connection_kib", Report.round3((after - before) / 1024.0 / conns));
        }
    }

    /** Live heap bytes after a full GC, from the histogram's total line; empty when jcmd fails or hangs. */
    static OptionalLong liveHeap(String pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path out = null;
        try {
            out = Files.createTempFile("roomcast-bots-histogram", ".txt");
            Process p = new ProcessBuilder(jcmd.toString(), pid, "GC.class_histogram")
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return OptionalLong.empty();
            }
            Matcher total = HISTOGRAM_TOTAL.matcher(Files.readString(out, StandardCharsets.UTF_8));
            return p.exitValue() == 0 && total.find() ? OptionalLong.of(Long.parseLong(total.group(1))) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    final class Sleeper extends Bot {
        Sleeper(Run run, int index) {
            super(run, index, run.url(index), "idle-" + index);
        }

        @Override
        protected void onPong(long clientTimeMs, long receivedMicros) {
            pongs.increment();
            run.received.increment();
            long rttMicros = receivedMicros - clientTimeMs * 1000;
            pingRtt.record(rttMicros, run.inWindow(clientTimeMs * 1000));
        }
    }
}
