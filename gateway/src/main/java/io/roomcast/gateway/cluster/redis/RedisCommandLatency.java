package io.roomcast.gateway.cluster.redis;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.micrometer.core.instrument.Timer;
import io.roomcast.gateway.NodeMetrics;

import java.net.SocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce's hook for the latency of every command (from its write to the socket to its complete
 * reply), recorded in one timer per command type ({@link NodeMetrics#redisCommandTimers}): the
 * commands a node sends each have their own, anything else (the connection's handshake, a
 * cluster's topology queries) shares {@link #OTHER}.
 *
 * <p>Lettuce ships {@code MicrometerCommandLatencyRecorder} (7.7 has it), not used here: it tags
 * each timer with the connection's local and remote address as well as the command, records two
 * timers per command (first response and completion: the same for every command a node sends),
 * offers only client-side percentiles or Micrometer's ~70-bucket percentile histogram, and makes
 * a key object and a map lookup per command. This one is called on Lettuce's event loop for every
 * command too, so it does neither: the timer is picked from an array by the command's ordinal.
 * Thread-safe.
 */
public final class RedisCommandLatency implements CommandLatencyRecorder {

    /**
     * The commands a node sends (standalone and Redis Cluster), each timed on its own. Not here:
     * SUBSCRIBE and its kin, which Lettuce completes on the subscription's confirmation without
     * calling this hook (measured: never recorded).
     */
    public static final List<String> COMMANDS = List.of("PUBLISH", "SPUBLISH", "EVAL", "GET", "SET", "DEL", "HSET",
            "HDEL", "HMGET", "PEXPIRE", "ZADD", "ZREM", "ZRANGEBYSCORE", "XADD", "XRANGE");
    /** The label of every other command; its timer is the last of {@link NodeMetrics#redisCommandTimers}. */
    public static final String OTHER = "other";

    /** CommandType ordinal -> its timer's index (COMMANDS.size(): other). */
    private static final int[] SLOTS = new int[CommandType.values().length];

    static {
        Arrays.fill(SLOTS, COMMANDS.size());
        for (int i = 0; i < COMMANDS.size(); i++) {
            SLOTS[CommandType.valueOf(COMMANDS.get(i)).ordinal()] = i;
        }
    }

    private final NodeMetrics metrics;

    public RedisCommandLatency(NodeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword commandType,
                                     long firstResponseLatency, long completionLatency) {
        Timer[] timers = metrics.redisCommandTimers();
        if (timers != null) {
            int slot = commandType instanceof CommandType type ? SLOTS[type.ordinal()] : COMMANDS.size();
            timers[slot].record(completionLatency, TimeUnit.NANOSECONDS);
        }
    }
}
