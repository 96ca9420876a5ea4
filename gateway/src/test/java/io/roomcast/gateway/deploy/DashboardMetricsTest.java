package io.roomcast.gateway.deploy;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/grafana/dashboards/roomcast.json asks only for what a node exports: every metric name in
 * its queries (and its variable's {@code label_values}) is a sample name of a real node's
 * {@code /metrics} (started in-process, as {@code PrometheusMetricsTest} does), every label it
 * groups or filters by is a label of those samples (or one Prometheus adds to a target), and every
 * query parses as PromQL ({@code promtool check rules}). {@code LocalClusterTest} also runs each
 * query against a real Prometheus scraping a real cluster.
 */
class DashboardMetricsTest {

    static final Path DASHBOARD = Commands.repoRoot().resolve("deploy/grafana/dashboards/roomcast.json");

    /** Series Prometheus makes for each target itself: not in a node's scrape. */
    private static final Set<String> PROMETHEUS_OWN_SERIES = Set.of("up");
    /** Labels Prometheus adds to every series of a target. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9_:])\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?(?:ms|[smhdwy])*");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{([^}]*)}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)\\s*,\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)");

    private static Node node;
    private static String scrape;

    @TempDir
    static Path temp;

    @BeforeAll
    static void startANode() throws Exception {
        node = TestNodes.start(config -> config.nodeId = "dashboard-node");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port() + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        scrape = response.body();
    }

    @AfterAll
    static void stopTheNode() {
        if (node != null) {
            node.stop();
        }
    }

    @Test
    void theMetricNameExtractorFindsMetricsAndNotFunctionsLabelsOrDurations() {
        assertEquals(Set.of("roomcast_tick_duration_seconds_bucket"), metricNames(
                "histogram_quantile(0.99, sum by (game, le) (rate(roomcast_tick_duration_seconds_bucket{node=~\"$node\"}[$__rate_interval])))"));
        assertEquals(Set.of("roomcast_sessions", "up"), metricNames("sum(roomcast_sessions) / on (node) group_left up{job=\"x\"} offset 5m"));
        assertEquals(Set.of("game", "le", "node"), labelNames(
                "sum by (game, le) (rate(roomcast_tick_duration_seconds_bucket{node=~\"$node\"}[1m]))"));
    }

    @Test
    void everyMetricTheDashboardQueriesIsOneANodeExports() {
        Map<String, Set<String>> exported = samplesAndTheirLabels(scrape);
        List<String> queries = queries();
        assertTrue(queries.size() >= 20, "the dashboard's queries: " + queries);
        Map<String, String> missing = new TreeMap<>();
        for (String query : queries) {
            for (String metric : metricNames(query)) {
                if (!exported.containsKey(metric) && !PROMETHEUS_OWN_SERIES.contains(metric)) {
                    missing.put(metric, query);
                }
            }
        }
        assertTrue(missing.isEmpty(), "metrics the dashboard queries that a node does not export (name -> query): " + missing
                + "\nexported: " + exported.keySet());
    }

    @Test
    void theDashboardCoversSessionsPlayersRoomsTicksFanOutClusterEventsAndRedis() {
        Set<String> used = new TreeSet<>();
        queries().forEach(query -> used.addAll(metricNames(query)));
        for (String metric : List.of("roomcast_sessions", "roomcast_connections_open", "roomcast_rooms_owned",
                "roomcast_players", "roomcast_tick_duration_seconds_bucket", "roomcast_tick_lateness_seconds_bucket",
                "roomcast_frames_out_total", "roomcast_frames_in_total", "roomcast_sent_bytes_total",
                "roomcast_connections_closed_total", "roomcast_rooms_taken_over_total", "roomcast_rooms_fenced_total",
                "roomcast_resumes_total", "roomcast_states_dropped_total", "roomcast_slow_consumer_closes_total",
                "roomcast_redis_reconnects_total", "roomcast_redis_command_duration_seconds_bucket",
                "roomcast_pubsub_lag_seconds_bucket")) {
            assertTrue(used.contains(metric), "the dashboard shows " + metric + "; it uses " + used);
        }
        for (String p99 : List.of("roomcast_tick_duration_seconds_bucket by (game, le)",
                "roomcast_tick_lateness_seconds_bucket by (game, le)",
                "roomcast_redis_command_duration_seconds_bucket by (command, le)",
                "roomcast_pubsub_lag_seconds_bucket by (node, le)")) {
            String histogram = p99.substring(0, p99.indexOf(' '));
            String grouping = p99.substring(p99.indexOf(' ') + 1);
            assertTrue(queries().stream().anyMatch(query -> query.startsWith("histogram_quantile(0.99,")
                    && query.contains(histogram) && query.contains(grouping)), "a p99 of " + p99);
        }
        assertTrue(queries().stream().anyMatch(query -> query.contains("roomcast_frames_out_total{type=\"state\"")),
                "the states fanned out");
    }

    @Test
    void everyLabelTheDashboardGroupsOrFiltersByIsOnTheSamplesItQueries() {
        Map<String, Set<String>> exported = samplesAndTheirLabels(scrape);
        for (String query : queries()) {
            Set<String> available = new TreeSet<>(TARGET_LABELS);
            for (String metric : metricNames(query)) {
                available.addAll(exported.getOrDefault(metric, Set.of()));
            }
            for (String label : labelNames(query)) {
                assertTrue(available.contains(label) || metricNames(query).stream().allMatch(PROMETHEUS_OWN_SERIES::contains),
                        "label " + label + " is not on the samples of `" + query + "` (their labels: " + available + ")");
            }
        }
        Matcher variable = LABEL_VALUES.matcher(String.join("\n", templateQueries()));
        assertTrue(variable.find(), "the node variable: " + templateQueries());
        assertTrue(exported.getOrDefault(variable.group(1), Set.of()).contains(variable.group(2)), variable.group());
    }

    @Test
    void everyQueryParsesAsPromql() throws IOException {
        // A recording rule per query: promtool parses each expression (Grafana's variables given values).
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        List<String> queries = queries();
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      - record: dashboard:query_").append(i).append('\n')
                    .append("        expr: '").append(forPrometheus(queries.get(i)).replace("'", "''")).append("'\n");
        }
        Path file = temp.resolve("dashboard-rules.yml");
        Files.writeString(file, rules);
        String promtool = Commands.executable("promtool").map(Path::toString)
                .orElseThrow(() -> new AssertionError("no promtool: apt-get install prometheus (.ci/run does)"));
        Commands.Result check = Commands.run(temp, Map.of(), Duration.ofSeconds(60), promtool, "check", "rules", file.toString());
        assertEquals(0, check.exitCode(), check.describe() + "\n" + rules);
        assertTrue(check.output().contains("SUCCESS: " + queries.size() + " rules found"), check.describe());
    }

    // ───────────── the dashboard (used by ComposeFileTest and LocalClusterTest too) ─────────────

    /** The dashboard JSON (JSON is YAML: SnakeYAML reads it). */
    static Map<String, Object> dashboard() {
        try {
            return new Yaml().load(Files.readString(DASHBOARD));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel query ({@code expr}), in the dashboard's order. */
    static List<String> queries() {
        List<Object> exprs = new ArrayList<>();
        collect(dashboard().get("panels"), "expr", exprs);
        return exprs.stream().map(String::valueOf).toList();
    }

    /** The template variables' queries ({@code label_values(...)}). */
    static List<String> templateQueries() {
        List<Object> definitions = new ArrayList<>();
        collect(dashboard().get("templating"), "definition", definitions);
        return definitions.stream().map(String::valueOf).toList();
    }

    /** A query as Prometheus gets it from Grafana: its variables given values ($node: all nodes). */
    static String forPrometheus(String query) {
        return query.replace("$__rate_interval", "1m").replace("$node", ".*");
    }

    /** Adds the value of every {@code key} found anywhere in {@code tree} (maps and lists) to {@code out}. */
    static void collect(Object tree, String key, List<Object> out) {
        if (tree instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (key.equals(k)) {
                    out.add(v);
                }
                collect(v, key, out);
            });
        } else if (tree instanceof List<?> list) {
            list.forEach(item -> collect(item, key, out));
        }
    }

    /** The metric names of a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
    static Set<String> metricNames(String promql) {
        String text = LABEL_MATCHERS.matcher(promql).replaceAll(" ");
        text = RANGE.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" ");
        text = NUMBER.matcher(text).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(text);
        while (m.find()) {
            String rest = text.substring(m.end()).stripLeading();
            if (!rest.startsWith("(") && !KEYWORDS.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The label names a PromQL expression filters ({@code {name=...}}) or groups ({@code by (...)}) by. */
    static Set<String> labelNames(String promql) {
        Set<String> labels = new TreeSet<>();
        Matcher matchers = LABEL_MATCHERS.matcher(promql);
        while (matchers.find()) {
            for (String matcher : matchers.group(1).split(",")) {
                Matcher name = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)").matcher(matcher);
                if (name.find()) {
                    labels.add(name.group(1));
                }
            }
        }
        Matcher grouping = GROUPING.matcher(promql);
        while (grouping.find()) {
            for (String label : grouping.group(2).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        return labels;
    }

    /** Sample name -> the label names its samples carry, from a text-format scrape. */
    static Map<String, Set<String>> samplesAndTheirLabels(String text) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        Pattern sample = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? \\S+");
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            Matcher m = sample.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            Set<String> labels = out.computeIfAbsent(m.group(1), name -> new TreeSet<>());
            if (m.group(3) != null) {
                Matcher l = label.matcher(m.group(3));
                while (l.find()) {
                    labels.add(l.group(1));
                }
            }
        }
        assertFalse(out.isEmpty(), "an empty scrape");
        return out;
    }
}
