package io.roomcast.bots;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Faults injected into a cluster started by {@code deploy/local-cluster} while the bots play: a
 * seeded sequence, one fault at a time, each followed by its repair (the node started again,
 * Redis back and every running gateway reaching it again) and at least {@link #SETTLE_MILLIS}
 * of calm before the next (a fault is due every {@code --fault-every}, or that long after the
 * last repair if that is later). Every fault is a command of the script, so what the bots see is
 * what an operator would cause.
 *
 * <p>Threading: {@link #start} runs the sequence on its own daemon thread; {@link #stop} ends it
 * once the step under way is repaired; {@link #log} can be read at any time.
 */
final class Faults {

    /** The faults, by the name {@code --faults} takes. */
    enum Kind {
        /** kill -9 of a gateway, started again after the pause. */
        KILL("kill"),
        /** SIGTERM of a gateway (it drains), started again after the pause. */
        TERM("term"),
        /** Redis stopped (saving its data) and started again after 2 s. */
        REDIS_RESTART("redis-restart"),
        /** Redis stopped, its data gone, started again empty after 2 s. */
        REDIS_EMPTY("redis-empty"),
        /** Redis down for 10 s (keeping its data). */
        REDIS_OUTAGE("redis-outage");

        final String option;

        Kind(String option) {
            this.option = option;
        }

        static Kind of(String option) {
            for (Kind k : values()) {
                if (k.option.equals(option.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--faults: unknown fault '" + option + "' (known: kill, term, redis-restart, redis-empty, redis-outage)");
        }

        boolean onNode() {
            return this == KILL || this == TERM;
        }
    }

    /** One fault as it happened, for the report. */
    record Step(double atSeconds, String fault, String target, long tookMillis, String outcome) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at_s", Report.round3(atSeconds));
            m.put("fault", fault);
            m.put("target", target);
            m.put("took_ms", tookMillis);
            m.put("outcome", outcome);
            return m;
        }
    }

    private final Path script;
    private final Map<String, String> environment;
    private final List<Kind> kinds;
    private final int nodes;
    private final long everyMillis;
    private final long pauseMillis;
    private final SplittableRandom random;
    private final PrintStream progress;
    private final List<Step> log = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;
    private Thread thread;
    private long startNanos;

    /**
     * @param script      the {@code deploy/local-cluster} script
     * @param environment added to the script's environment (ROOMCAST_CLUSTER_DIR names the cluster)
     * @param every       time from one fault's start to the next one's
     * @param pause       how long a killed or stopped node stays down before it is started again
     */
    /**
     * The least time between a fault's repair and the next fault: one fault at a time means the
     * cluster healed from the last (a lease, by default, for nodes to reach Redis again, write
     * again what they could not, and claim or renew their rooms). Two faults closer than that are
     * a double fault, which the failure model does not promise to survive unharmed.
     */
    static final long SETTLE_MILLIS = 3000;

    Faults(Path script, Map<String, String> environment, List<Kind> kinds, int nodes, long every, long pause,
           long seed, PrintStream progress) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("--faults: name at least one fault");
        }
        if (every <= pause) {
            throw new IllegalArgumentException("--fault-every must be longer than --fault-pause");
        }
        this.script = script;
        this.environment = Map.copyOf(environment);
        this.kinds = List.copyOf(kinds);
        this.nodes = nodes;
        this.everyMillis = every;
        this.pauseMillis = pause;
        this.random = new SplittableRandom(seed);
        this.progress = progress;
    }

    static List<Kind> parse(String list) {
        List<Kind> out = new ArrayList<>();
        for (String name : list.split(",")) {
            if (!name.isBlank()) {
                out.add(Kind.of(name));
            }
        }
        return out;
    }

    /** Starts the sequence: the first fault after {@code firstAfter} ms, then one every {@code every}. */
    void start(long firstAfterMillis) {
        startNanos = System.nanoTime();
        thread = new Thread(() -> sequence(firstAfterMillis), "faults");
        thread.setDaemon(true);
        thread.start();
    }

    /** No new fault; the one under way is repaired first. Waits for that. */
    void stop() throws InterruptedException {
        stopping = true;
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(120));
        }
    }

    List<Step> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    private void sequence(long firstAfterMillis) {
        long next = firstAfterMillis;
        List<Kind> round = List.of();
        for (int index = 0; ; index++) {
            if (!sleepUntil(next)) {
                return;
            }
            // Each round takes every kind asked for once, in a seeded order.
            if (index % kinds.size() == 0) {
                round = shuffled();
            }
            inject(round.get(index % kinds.size()));
            next = Math.max(next + everyMillis, elapsedMillis() + SETTLE_MILLIS);
        }
    }

    private List<Kind> shuffled() {
        List<Kind> out = new ArrayList<>(kinds);
        for (int i = out.size() - 1; i > 0; i--) {
            Collections.swap(out, i, random.nextInt(i + 1));
        }
        return out;
    }

    /** One fault and its repair; a fault under way is always repaired, even when the run is stopping. */
    private void inject(Kind kind) {
        double at = elapsedMillis() / 1000.0;
        long t0 = System.nanoTime();
        String target;
        String outcome;
        switch (kind) {
            case KILL, TERM -> {
                int node = 1 + random.nextInt(nodes);
                target = "gateway-" + node;
                outcome = run(kind == Kind.KILL ? "kill-node" : "stop-node", Integer.toString(node));
                sleepFor(pauseMillis);
                outcome += "; " + run("start-node", Integer.toString(node));
            }
            case REDIS_RESTART -> {
                target = "redis";
                outcome = run("restart-redis", "--down", "2");
            }
            case REDIS_EMPTY -> {
                target = "redis";
                outcome = run("restart-redis", "--empty", "--down", "2");
            }
            case REDIS_OUTAGE -> {
                target = "redis";
                outcome = run("restart-redis", "--down", "10");
            }
            default -> throw new IllegalStateException(kind.name());
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        log.add(new Step(at, kind.option, target, took, outcome));
        progress.printf(Locale.ROOT, "fault at %.1fs: %s %s (%d ms with its repair)%n", at, kind.option, target, took);
    }

    /** Runs one command of the script; its last output line, or why it failed. */
    private String run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return String.join(" ", args) + ": timed out";
            }
            String text = new String(output, StandardCharsets.UTF_8).strip();
            String last = text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1);
            return process.exitValue() == 0 ? last : String.join(" ", args) + " failed (" + process.exitValue() + "): " + text;
        } catch (IOException e) {
            return String.join(" ", args) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return String.join(" ", args) + ": interrupted";
        }
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Sleeps until {@code atMillis} after the start; false if the run is stopping first. */
    private boolean sleepUntil(long atMillis) {
        while (!stopping) {
            long left = atMillis - elapsedMillis();
            if (left <= 0) {
                return true;
            }
            sleepFor(Math.min(left, 100));
        }
        return false;
    }

    private static void sleepFor(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The script, looked for as {@code deploy/local-cluster} in the working directory and its parents. */
    static Path findScript() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("deploy/local-cluster");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalArgumentException("deploy/local-cluster not found from the working directory up: give --local-cluster PATH");
    }
}
