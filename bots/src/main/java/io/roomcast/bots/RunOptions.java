package io.roomcast.bots;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The options every scenario takes (a picocli mixin). */
public final class RunOptions {

    @Option(names = {"-u", "--url"}, paramLabel = "URL", split = ",",
            description = "WebSocket URL of a node (ws://host:port/ws), or of a load balancer. Repeat (or comma-separate) "
                    + "for several nodes: client i talks to node i mod N. A bare host:port gets ws:// and /ws.")
    List<String> url = new ArrayList<>();

    @Option(names = "--ramp-per-second", paramLabel = "N", defaultValue = "500",
            description = "New connections per second while setting up. Default: ${DEFAULT-VALUE}")
    int rampPerSecond;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "3s", converter = DurationConverter.class,
            description = "Load before the measurement window (JIT, caches). Default: ${DEFAULT-VALUE}")
    Duration warmup;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "The measurement window. Default: ${DEFAULT-VALUE}")
    Duration duration;

    @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
            description = "After the window the load goes on this long so late messages of the window still count. Default: ${DEFAULT-VALUE}")
    Duration drain;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Per connection (and per Hello/Join answer). Default: ${DEFAULT-VALUE}")
    Duration connectTimeout;

    @Option(names = "--setup-timeout", paramLabel = "DURATION", defaultValue = "120s", converter = DurationConverter.class,
            description = "Longest wait for every bot to be connected and seated. Default: ${DEFAULT-VALUE}")
    Duration setupTimeout;

    @Option(names = "--report-json", paramLabel = "FILE", description = "Write the report as JSON.")
    java.nio.file.Path reportJson;

    @Option(names = "--report-html", paramLabel = "FILE", description = "Write the report as one self-contained HTML page (inline SVG).")
    java.nio.file.Path reportHtml;

    @Option(names = "--max-p99-ms", paramLabel = "MS",
            description = "Fail (exit 1) when the main latency's p99 in the window is above this.")
    Double maxP99Ms;

    @Option(names = "--max-loss", paramLabel = "FRACTION",
            description = "Fail (exit 1) when the lost fraction of expected messages is above this (0.001 = 0.1 %%).")
    Double maxLoss;

    @Option(names = "--server-pid", paramLabel = "[LABEL=]PID",
            description = "A server process to sample (CPU seconds and RSS from /proc/PID over the window). Repeatable. "
                    + "A process named redis-server counts as Redis, any other as a node.")
    List<String> serverPids = new ArrayList<>();

    @Option(names = "--clients", paramLabel = "N", defaultValue = "2",
            description = "Socket loops the bots are spread over (bot i on loop i mod N): each is one selector thread "
                    + "that reads, decodes and handles the messages of its sockets. Default: ${DEFAULT-VALUE}")
    int clients;

    @Option(names = "--timer-threads", paramLabel = "N", defaultValue = "2",
            description = "Threads that fire the timed sends (a frame is written to its socket on the sending thread "
                    + "when the socket takes it at once). Default: ${DEFAULT-VALUE}")
    int timerThreads;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "A progress line on stderr every second (default; --no-progress for none).")
    boolean progress;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the bots' random choices. Default: ${DEFAULT-VALUE}")
    long seed;

    /** The node URLs, normalized. */
    public List<URI> uris() {
        List<URI> out = new ArrayList<>();
        for (String u : url) {
            String s = u.trim();
            if (s.isEmpty()) {
                continue;
            }
            if (!s.contains("://")) {
                s = "ws://" + s;
            }
            URI uri = URI.create(s);
            if (uri.getPath() == null || uri.getPath().isEmpty()) {
                uri = uri.resolve("/ws");
            }
            out.add(uri);
        }
        return out;
    }

    void validate() {
        if (uris().isEmpty()) {
            throw new IllegalArgumentException("--url: give at least one node URL");
        }
        for (URI uri : uris()) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws")) {
                throw new IllegalArgumentException("--url must be ws:// (the bots' client has no TLS), was " + uri);
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("--url has no host: " + uri);
            }
        }
        positive("--ramp-per-second", rampPerSecond);
        if (clients < 1) {
            throw new IllegalArgumentException("--clients must be >= 1, was " + clients);
        }
        positive("--timer-threads", timerThreads);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("--duration must be > 0");
        }
        if (warmup.isNegative() || drain.isNegative()) {
            throw new IllegalArgumentException("--warmup and --drain must be >= 0");
        }
        if (maxLoss != null && (maxLoss < 0 || maxLoss > 1)) {
            throw new IllegalArgumentException("--max-loss is a fraction in 0..1, was " + maxLoss);
        }
    }

    static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    /** "250ms", "3s", "2m", or a bare number of seconds ("1.5"). */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
                }
                if (v.endsWith("m")) {
                    return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 60_000));
                }
                if (v.endsWith("s")) {
                    v = v.substring(0, v.length() - 1).trim();
                }
                return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a duration: '" + value + "' (e.g. 500ms, 3s, 2m)");
            }
        }
    }
}
