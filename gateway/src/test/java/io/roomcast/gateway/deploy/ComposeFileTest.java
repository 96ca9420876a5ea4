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
 * deploy/docker-compose.yml, deploy/haproxy.cfg and deploy/Dockerfile, checked without a Docker
 * engine: Compose's own validation ({@code docker-compose config}, Debian's docker-compose 1.29,
 * or the {@code docker compose} plugin), HAProxy's ({@code haproxy -c}), and the topology the
 * docs promise. .ci/run installs docker-compose and haproxy.
 */
class ComposeFileTest {

    private static final Path ROOT = Commands.repoRoot();
    private static final Path COMPOSE = ROOT.resolve("deploy/docker-compose.yml");
    private static final Path HAPROXY_CFG = ROOT.resolve("deploy/haproxy.cfg");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> GATEWAYS = List.of("gateway-1", "gateway-2", "gateway-3");

    @Test
    void composeValidatesTheFileAndTheTopologyIsRedisThreeGatewaysAndALoadBalancer() {
        Commands.Result config = Commands.run(ROOT, Map.of(), TIMEOUT, compose("-f", COMPOSE.toString(), "config"));
        assertEquals(0, config.exitCode(), config.describe());

        Map<String, Object> services = map(new Yaml().<Map<String, Object>>load(config.output()).get("services"), "services");
        assertEquals(new TreeSet<>(List.of("redis", "gateway-1", "gateway-2", "gateway-3", "lb")), new TreeSet<>(services.keySet()));

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

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        assertNotNull(value, what + " is missing");
        assertTrue(value instanceof Map, what + " is not a mapping: " + value);
        return (Map<String, Object>) value;
    }
}
