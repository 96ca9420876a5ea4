package io.roomcast.gateway.deploy;

import org.junit.jupiter.api.Test;
// Testcontainers (a test dependency already) ships SnakeYAML shaded; no extra dependency for one parse.
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/docker-compose.yml, deploy/haproxy.cfg, deploy/Dockerfile and the monitoring files
 * (deploy/prometheus/, deploy/grafana/), checked without a Docker engine: Compose's own validation
 * ({@code docker-compose config}, Debian's docker-compose 1.29, or the {@code docker compose}
 * plugin), HAProxy's ({@code haproxy -c}), Prometheus' ({@code promtool check config}), and the
 * topology the docs promise. .ci/run installs docker-compose, haproxy and prometheus.
 */
class ComposeFileTest {

    private static final Path ROOT = Commands.repoRoot();
    private static final Path COMPOSE = ROOT.resolve("deploy/docker-compose.yml");
    private static final Path HAPROXY_CFG = ROOT.resolve("deploy/haproxy.cfg");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> GATEWAYS = List.of("gateway-1", "gateway-2", "gateway-3");
    private static final Path PROMETHEUS_YML = ROOT.resolve("deploy/prometheus/prometheus.yml");
    private static final Path GRAFANA = ROOT.resolve("deploy/grafana");

    @Test
    void composeValidatesTheFileAndTheTopologyIsRedisThreeGatewaysALoadBalancerAndMonitoring() {
        Map<String, Object> services = composeServices();
        assertEquals(new TreeSet<>(List.of("redis", "gateway-1", "gateway-2", "gateway-3", "lb", "prometheus", "grafana")),
                new TreeSet<>(services.keySet()));

        Map<String, Object> redis = map(services.get("redis"), "redis");
        assertEquals("redis:7-alpine", redis.get("image"));
        assertTrue(String.valueOf(map(redis.get("healthcheck"), "redis healthcheck").get("test")).contains("ping"),
                "redis is healthy when redis-cli ping answers");

        for (String name : GATEWAYS) {
            Map<String, Object> gateway = map(services.get(name), name);
            Map<String, Object> env = map(gateway.get("environment"), name + " environment");
            assertEquals("redis://redis:6379", env.get("REDIS_URL"), name);
            assertEquals(name, env.get("NODE_ID"), name);
            assertTrue(String.valueOf(map(gateway.get("build"), name + " build").get("dockerfile")).endsWith("deploy/Dockerfile"), name);
            assertTrue(String.valueOf(map(gateway.get("healthcheck"), name + " healthcheck").get("test")).contains("/healthz"), name);
            assertEquals("unless-stopped", gateway.get("restart"), name);
            Map<String, Object> dependsOn = map(gateway.get("depends_on"), name + " depends_on");
            assertEquals("service_healthy", map(dependsOn.get("redis"), name + " depends_on redis").get("condition"), name);
            assertFalse(gateway.containsKey("ports"), name + " is reached through the load balancer only");
        }

        Map<String, Object> lb = map(services.get("lb"), "lb");
        assertTrue(String.valueOf(lb.get("image")).startsWith("haproxy:"), "lb runs HAProxy: " + lb.get("image"));
        assertTrue(publishedPorts(lb).contains("8080"), "lb publishes 8080: " + lb.get("ports"));
        assertTrue(String.valueOf(lb.get("volumes")).contains("haproxy.cfg"), "lb mounts deploy/haproxy.cfg: " + lb.get("volumes"));
    }

    @Test
    void prometheusScrapesTheMetricsOfEveryGatewayServiceAndPromtoolAcceptsItsConfig() throws IOException {
        Map<String, Object> services = composeServices();
        Map<String, Object> prometheus = map(services.get("prometheus"), "prometheus");
        assertTrue(String.valueOf(prometheus.get("image")).startsWith("prom/prometheus:"), String.valueOf(prometheus.get("image")));
        assertEquals(PROMETHEUS_YML.toString(), mounts(prometheus).get("/etc/prometheus/prometheus.yml"),
                "prometheus reads deploy/prometheus/prometheus.yml: " + prometheus.get("volumes"));
        assertTrue(String.valueOf(prometheus.get("command")).contains("--config.file=/etc/prometheus/prometheus.yml"),
                String.valueOf(prometheus.get("command")));
        assertEquals(Map.of("9090", "127.0.0.1"), publishedPortsAndAddresses(prometheus), "Prometheus on the host's loopback only");

        Commands.Result check = Commands.run(ROOT, Map.of(), TIMEOUT, promtool(), "check", "config", PROMETHEUS_YML.toString());
        assertEquals(0, check.exitCode(), check.describe());

        // Every gateway service of the compose file, at the port its image listens on, on /metrics.
        Set<String> gatewayTargets = new TreeSet<>();
        for (String name : services.keySet()) {
            if (name.startsWith("gateway-")) {
                gatewayTargets.add(name + ":8080");
            }
        }
        assertEquals(new TreeSet<>(GATEWAYS.stream().map(name -> name + ":8080").toList()), gatewayTargets);
        Set<String> scraped = new TreeSet<>();
        Map<String, Object> config = map(new Yaml().load(Files.readString(PROMETHEUS_YML)), "prometheus.yml");
        for (Object job : list(config.get("scrape_configs"), "scrape_configs")) {
            Map<String, Object> scrape = map(job, "a scrape config");
            assertEquals("/metrics", scrape.getOrDefault("metrics_path", "/metrics"), "the gateways serve /metrics");
            for (Object staticConfig : list(scrape.get("static_configs"), "static_configs")) {
                for (Object target : list(map(staticConfig, "a static config").get("targets"), "targets")) {
                    scraped.add(String.valueOf(target));
                }
            }
        }
        assertEquals(gatewayTargets, scraped, "Prometheus scrapes every gateway and nothing else");
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusDatasourceAndTheRoomcastDashboard() throws IOException {
        Map<String, Object> services = composeServices();
        Map<String, Object> grafana = map(services.get("grafana"), "grafana");
        assertTrue(String.valueOf(grafana.get("image")).startsWith("grafana/grafana:"), String.valueOf(grafana.get("image")));
        assertEquals(Map.of("3000", "127.0.0.1"), publishedPortsAndAddresses(grafana), "Grafana on the host's loopback only");
        Map<String, String> mounts = mounts(grafana);
        assertEquals(GRAFANA.resolve("provisioning").toString(), mounts.get("/etc/grafana/provisioning"), "provisioning: " + mounts);
        String dashboardsInContainer = mounts.entrySet().stream()
                .filter(mount -> mount.getValue().equals(GRAFANA.resolve("dashboards").toString()))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("deploy/grafana/dashboards is not mounted: " + mounts));

        // The datasource points at the compose service of Prometheus, on its port.
        Map<String, Object> datasources = map(new Yaml().load(Files.readString(GRAFANA.resolve("provisioning/datasources/prometheus.yml"))), "datasources file");
        List<Object> sources = list(datasources.get("datasources"), "datasources");
        assertEquals(1, sources.size(), "one datasource: " + sources);
        Map<String, Object> source = map(sources.get(0), "the datasource");
        assertEquals("prometheus", source.get("type"));
        assertEquals("http://prometheus:9090", source.get("url"));
        assertTrue(services.containsKey("prometheus"), "the datasource's host is a compose service");
        String uid = String.valueOf(source.get("uid"));

        // The dashboard provider reads the directory the dashboards are mounted at.
        Map<String, Object> providers = map(new Yaml().load(Files.readString(GRAFANA.resolve("provisioning/dashboards/roomcast.yml"))), "dashboard providers file");
        Map<String, Object> provider = map(list(providers.get("providers"), "providers").get(0), "the provider");
        assertEquals("file", provider.get("type"));
        assertEquals(dashboardsInContainer, map(provider.get("options"), "provider options").get("path"),
                "the provider reads where deploy/grafana/dashboards is mounted");

        // The dashboard (its queries are DashboardMetricsTest's) uses that datasource, and only it.
        Map<String, Object> dashboard = DashboardMetricsTest.dashboard();
        List<Object> datasourceRefs = new ArrayList<>();
        DashboardMetricsTest.collect(dashboard, "datasource", datasourceRefs);
        assertFalse(datasourceRefs.isEmpty(), "the dashboard names its datasource");
        for (Object ref : datasourceRefs) {
            assertEquals(uid, map(ref, "a datasource reference").get("uid"), "every panel, query and variable uses datasource " + uid);
        }
        String defaultHome = String.valueOf(map(grafana.get("environment"), "grafana environment").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"));
        assertEquals(dashboardsInContainer + "/roomcast.json", defaultHome, "the home dashboard is the provisioned one");
    }

    @Test
    void haproxyBalancesWithoutStickinessAndChecksHealthz() throws IOException {
        List<String> directives = directives(HAPROXY_CFG);
        Pattern sticky = Pattern.compile("^(cookie|stick|stick-table|appsession|persist|balance\\s+(source|uri|url_param|hdr|rdp-cookie)|hash-type)\\b.*");
        for (String line : directives) {
            assertFalse(sticky.matcher(line).matches(), "no sticky sessions: any node serves any player, found `" + line + "`");
            assertFalse(line.startsWith("server ") && line.contains(" cookie "), "no server cookies: `" + line + "`");
        }
        assertTrue(directives.contains("balance roundrobin") || directives.contains("balance leastconn"), "round robin or least connections");
        assertTrue(directives.contains("option httpchk GET /readyz"), "players are routed by readiness (/readyz)");
        assertTrue(directives.contains("mode http"), "HTTP mode (the WebSocket upgrade passes through it)");
        assertTrue(directives.stream().anyMatch(line -> line.startsWith("timeout tunnel ")), "a WebSocket tunnel timeout");
        assertTrue(directives.contains("bind :8080"), "listens on 8080 as compose publishes it");
        for (String name : GATEWAYS) {
            assertTrue(directives.contains("server " + name + " " + name + ":8080"), "a server line for " + name);
        }
    }

    @Test
    void haproxyAcceptsTheConfig() {
        Path haproxy = Commands.executable("haproxy", "/usr/sbin", "/usr/local/sbin")
                .orElseThrow(() -> new AssertionError("no haproxy: apt-get install haproxy (.ci/run does)"));
        // The compose names (gateway-1...) do not resolve here: init-addr ...,none lets HAProxy start anyway.
        Commands.Result check = Commands.run(ROOT, Map.of(), TIMEOUT, haproxy.toString(), "-c", "-f", HAPROXY_CFG.toString());
        assertEquals(0, check.exitCode(), check.describe());
        assertTrue(check.output().contains("Configuration file is valid"), check.describe());
    }

    @Test
    void dockerfileBuildsOnAJdkAndRunsOnAJreAsANonRootUser() throws IOException {
        List<String> lines = directives(ROOT.resolve("deploy/Dockerfile"));
        List<String> from = lines.stream().filter(line -> line.startsWith("FROM ")).toList();
        assertEquals(2, from.size(), "two stages: " + from);
        assertTrue(from.get(0).matches("FROM eclipse-temurin:\\d+-jdk AS build"), from.get(0));
        assertTrue(from.get(1).matches("FROM eclipse-temurin:\\d+-jre"), from.get(1));
        int firstSourceCopy = indexOf(lines, "COPY gateway/src");
        assertTrue(indexOf(lines, "COPY gateway/pom.xml") < firstSourceCopy, "the poms are copied before the sources (layer cache)");
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("USER ") && !line.equals("USER root")), "runs as a non-root user");
        assertTrue(lines.contains("EXPOSE 8080"));
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("HEALTHCHECK ")));
        assertTrue(lines.contains("ENTRYPOINT [\"java\", \"-XX:+UseZGC\", \"-jar\", \"/app/roomcast-gateway.jar\"]"));
        List<String> ignored = directives(ROOT.resolve(".dockerignore"));
        assertTrue(ignored.stream().anyMatch(line -> line.contains("target")), ".dockerignore leaves target/ out");
        assertTrue(ignored.stream().anyMatch(line -> line.contains(".git")), ".dockerignore leaves .git out");
    }

    @Test
    void dockerfileCopiesEveryModulesPomAndTheSourcesOfTheGatewaysModules() throws IOException {
        List<String> lines = directives(ROOT.resolve("deploy/Dockerfile"));
        List<String> modules = Pattern.compile("<module>([^<]+)</module>")
                .matcher(Files.readString(ROOT.resolve("pom.xml"))).results().map(m -> m.group(1)).toList();
        assertTrue(modules.contains("gateway"), "modules of the parent pom: " + modules);
        for (String module : modules) {
            // Maven reads the whole reactor, even for `-pl gateway -am`: a missing pom fails the build.
            assertTrue(lines.contains("COPY " + module + "/pom.xml " + module + "/"), "the Dockerfile copies " + module + "/pom.xml");
        }
        for (String module : List.of("proto", "game-core", "games", "gateway")) { // the gateway and what it is built from
            assertTrue(lines.contains("COPY " + module + "/src " + module + "/src"), "the Dockerfile copies " + module + "/src");
        }
        assertTrue(lines.contains("COPY clients/js/ clients/js/"), "the gateway build reads clients/js (the demo's client bundle)");
    }

    // ───────────── helpers ─────────────

    /** The services of {@code docker-compose config}: the file as Compose reads it (anchors, merges and defaults applied). */
    private static Map<String, Object> composeServices() {
        Commands.Result config = Commands.run(ROOT, Map.of(), TIMEOUT, compose("-f", COMPOSE.toString(), "config"));
        assertEquals(0, config.exitCode(), config.describe());
        return map(new Yaml().<Map<String, Object>>load(config.output()).get("services"), "services");
    }

    private static String promtool() {
        return Commands.executable("promtool").map(Path::toString)
                .orElseThrow(() -> new AssertionError("no promtool: apt-get install prometheus (.ci/run does)"));
    }

    /** `docker-compose ARGS`, or `docker compose ARGS` where only the plugin is installed. */
    private static String[] compose(String... args) {
        List<String> command = new ArrayList<>();
        if (Commands.executable("docker-compose").isPresent()) {
            command.add("docker-compose");
        } else if (Commands.executable("docker").isPresent()
                && Commands.run(ROOT, Map.of(), TIMEOUT, "docker", "compose", "version").exitCode() == 0) {
            command.addAll(List.of("docker", "compose"));
        } else {
            throw new AssertionError("neither docker-compose nor the docker compose plugin: apt-get install docker-compose (.ci/run does)");
        }
        command.addAll(List.of(args));
        return command.toArray(String[]::new);
    }

    /** Lines without comments and blank lines, trimmed, inner whitespace collapsed (continuations kept as is). */
    private static List<String> directives(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(line -> line.replaceFirst("\\s#.*$", "").replaceFirst("^#.*$", "").trim().replaceAll("\\s+", " "))
                .filter(line -> !line.isEmpty())
                .toList();
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starting with `" + prefix + "`");
    }

    /** Ports a service publishes on the host, in either output format (1.29 or v2, long or short syntax). */
    private static Set<String> publishedPorts(Map<String, Object> service) {
        Set<String> published = new TreeSet<>();
        if (service.get("ports") instanceof List<?> ports) {
            for (Object port : ports) {
                if (port instanceof Map<?, ?> longSyntax) {
                    published.add(String.valueOf(longSyntax.get("published")));
                } else {
                    String[] parts = String.valueOf(port).split(":");
                    published.add(parts.length > 1 ? parts[parts.length - 2] : parts[0]);
                }
            }
        }
        return published;
    }

    /** Published host port -> host address (empty: every address), in either output format. */
    private static Map<String, String> publishedPortsAndAddresses(Map<String, Object> service) {
        Map<String, String> published = new java.util.TreeMap<>();
        for (Object port : list(service.get("ports"), "ports")) {
            if (port instanceof Map<?, ?> longSyntax) {
                published.put(String.valueOf(longSyntax.get("published")), longSyntax.get("host_ip") == null ? "" : String.valueOf(longSyntax.get("host_ip")));
            } else {
                String[] parts = String.valueOf(port).split(":");
                published.put(parts.length > 1 ? parts[parts.length - 2] : parts[0], parts.length > 2 ? parts[0] : "");
            }
        }
        return published;
    }

    /** A service's mounts: path in the container -> host path or volume name (short "src:dst[:mode]" or long syntax). */
    private static Map<String, String> mounts(Map<String, Object> service) {
        Map<String, String> mounts = new java.util.TreeMap<>();
        for (Object volume : list(service.get("volumes"), "volumes")) {
            if (volume instanceof Map<?, ?> longSyntax) {
                mounts.put(String.valueOf(longSyntax.get("target")), String.valueOf(longSyntax.get("source")));
            } else {
                String[] parts = String.valueOf(volume).split(":");
                mounts.put(parts[1], parts[0]);
            }
        }
        return mounts;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String what) {
        assertNotNull(value, what + " is missing");
        assertTrue(value instanceof List, what + " is not a list: " + value);
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        assertNotNull(value, what + " is missing");
        assertTrue(value instanceof Map, what + " is not a mapping: " + value);
        return (Map<String, Object>) value;
    }
}
