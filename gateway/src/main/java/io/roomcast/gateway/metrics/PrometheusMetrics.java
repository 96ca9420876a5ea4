package io.roomcast.gateway.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.cluster.redis.RedisCommandLatency;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/**
 * The node's {@code /metrics}: Micrometer's Prometheus registry, every meter tagged
 * {@code node=<node id>}. Nothing here is on a hot path: the counters are {@link NodeMetrics}'
 * {@link LongAdder}s, read only when Prometheus scrapes ({@link FunctionCounter}); the gauges call
 * their suppliers only then too. The meters recorded while the node runs are the tick timers
 * ({@link NodeMetrics#timingTicks}), twice per tick on the room's thread. Thread-safe.
 */
public final class PrometheusMetrics {

    /** Bucket bounds of the tick histogram: a 20 Hz tick has 50 ms; a healthy one takes well under 1 ms. */
    private static final Duration[] TICK_BUCKETS = {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250)};

    /**
     * Bucket bounds of the tick-lateness histogram: a tick normally starts within a fraction of a
     * millisecond of its place on the grid (the timer's wake-up, a free room worker); a busy node
     * shows milliseconds, a stalled one a tick period (50 ms at 20 Hz) and more.
     */
    private static final Duration[] LATENESS_BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
            Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};

    /** Bucket bounds of the Redis command histogram: a command on a LAN takes well under a millisecond; the timeout is 2 s. */
    private static final Duration[] REDIS_BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
            Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofMillis(250), Duration.ofSeconds(2)};

    /** Bucket bounds of the pub/sub lag histogram: on one host a fraction of a millisecond; skewed clocks add their skew. */
    private static final Duration[] LAG_BUCKETS = {
            Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /**
     * @param roomsOfType   the rooms this node owns of a game type, counted when scraped
     * @param playersOfType the players seated in those rooms, counted when scraped
     */
    public PrometheusMetrics(String nodeId, NodeMetrics counters, Collection<String> gameTypes,
                             IntSupplier connections, IntSupplier sessions, ToIntFunction<String> roomsOfType,
                             ToIntFunction<String> playersOfType) {
        registry.config().commonTags("node", nodeId)
                // Two of Micrometer's JVM meters that promtool's lint refuses (an abbreviated unit, a
                // gauge named _count); process_cpu_usage and the rest stay.
                .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
                .meterFilter(MeterFilter.denyNameStartsWith("system.cpu.count"));
        for (NodeMetrics.Counter counter : counters.counters()) {
            FunctionCounter.builder("roomcast." + counter.prometheusName(), counter.value(), LongAdder::sum)
                    .description(counter.help())
                    .register(registry);
        }
        for (NodeMetrics.Labeled counter : counters.labeledCounters()) {
            for (int i = 0; i < counter.size(); i++) {
                FunctionCounter.builder("roomcast." + counter.name(), counter.adder(i), LongAdder::sum)
                        .tag(counter.label(), counter.value(i))
                        .description(counter.help())
                        .register(registry);
            }
        }
        Gauge.builder("roomcast.connections.open", connections::getAsInt)
                .description("WebSocket connections open on this node").register(registry);
        Gauge.builder("roomcast.sessions", sessions::getAsInt)
                .description("sessions on this node: connected, or detached and keeping their seats for a resume")
                .register(registry);
        Map<String, NodeMetrics.TickTimers> tickTimers = new LinkedHashMap<>();
        for (String game : gameTypes) {
            Gauge.builder("roomcast.rooms.owned", () -> roomsOfType.applyAsInt(game))
                    .tag("game", game)
                    .description("rooms this node owns and ticks, by game type").register(registry);
            Gauge.builder("roomcast.players", () -> playersOfType.applyAsInt(game))
                    .tag("game", game)
                    .description("players seated in the rooms this node owns, by game type (summed over the nodes:"
                            + " a cluster's players, each counted once, by its room's owner)").register(registry);
            Timer duration = Timer.builder("roomcast.tick.duration")
                    .tag("game", game)
                    .description("time one tick of a room takes on its thread: inputs, onTick, the state encoded and handed over")
                    .serviceLevelObjectives(TICK_BUCKETS)
                    .register(registry);
            Timer lateness = Timer.builder("roomcast.tick.lateness")
                    .tag("game", game)
                    .description("how late a room's tick started after its place on the room's fixed tick grid: the timer's"
                            + " wake-up, the wait for a room worker, earlier ticks of a catch-up run")
                    .serviceLevelObjectives(LATENESS_BUCKETS)
                    .register(registry);
            tickTimers.put(game, new NodeMetrics.TickTimers(duration, lateness));
        }
        counters.tickTimers(tickTimers);
        // Redis: registered on every node (at 0 on the embedded one), so a dashboard's queries work everywhere.
        List<String> commands = new ArrayList<>(RedisCommandLatency.COMMANDS);
        commands.add(RedisCommandLatency.OTHER);
        Timer[] byCommand = new Timer[commands.size()];
        for (int i = 0; i < byCommand.length; i++) {
            byCommand[i] = Timer.builder("roomcast.redis.command.duration")
                    .tag("command", commands.get(i).toLowerCase(Locale.ROOT))
                    .description("Redis commands from their write to the socket to their whole reply, by command"
                            + " (other: connection set-up, a Redis Cluster's topology queries)")
                    .serviceLevelObjectives(REDIS_BUCKETS)
                    .register(registry);
        }
        Timer pubSubLag = Timer.builder("roomcast.pubsub.lag")
                .description("room frames from their publish by the room's owner to their arrival on this node, the"
                        + " owner's wall clock against this node's: includes the clock skew between the two machines"
                        + " (none on one host); a negative lag (this clock behind) counts as 0")
                .serviceLevelObjectives(LAG_BUCKETS)
                .register(registry);
        counters.redisTimers(byCommand, pubSubLag);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The Prometheus text exposition format, version 0.0.4. */
    public String scrape() {
        return registry.scrape();
    }

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
}
