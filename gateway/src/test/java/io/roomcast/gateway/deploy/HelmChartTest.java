package io.roomcast.gateway.deploy;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.config.NodeConfig;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/helm/roomcast, checked without Helm or Kubernetes (neither is here): the chart is rendered
 * by {@link MiniHelm} (the template subset it uses, Helm's whitespace rules, unknown values
 * refused) and the result checked against the node itself — its settings' environment variables
 * and defaults read from {@link NodeConfig}'s annotations, its probe endpoints asked of a real node,
 * the image's entrypoint and tools read from deploy/Dockerfile, the HPA's metric found in a real
 * scrape. Not checked: that Kubernetes accepts the objects (no API server schema here), that
 * Bitnami's Redis chart names its Service and secret as assumed, anything at runtime on a cluster.
 */
class HelmChartTest {

    private static final Path ROOT = Commands.repoRoot();
    private static final Path CHART = ROOT.resolve("deploy/helm/roomcast");
    private static final String RELEASE = "roomcast";
    private static final String REDIS_URL = "redis://redis.example:6379";
    /** Installed with an external Redis: the chart requires a Redis. */
    private static final Map<String, Object> EXTERNAL_REDIS = Map.of("externalRedis.url", REDIS_URL);
    /** Container env entries that are not node settings but the JVM's. */
    private static final Set<String> JVM_ENV = Set.of("JAVA_TOOL_OPTIONS");

    @Test
    void theRendererFollowsHelmOnWhatTheChartUses() {
        Map<String, Object> context = Map.of(
                "Values", Map.of("on", true, "off", false, "port", 8080, "empty", "", "list", List.of(Map.of("name", "A"))),
                "Release", Map.of("Name", "r"));
        String template = """
                a: {{ .Release.Name }}
                {{- if .Values.on }}
                b: {{ .Values.port | quote }}
                {{- else }}
                b: never
                {{- end }}
                {{- if not .Values.off }}
                c:
                  {{- toYaml .Values.list | nindent 2 }}
                {{- end }}
                {{/* a comment */}}
                d: {{ .Values.empty | default "x" }}
                """;
        assertEquals("a: r\nb: \"8080\"\nc:\n  - name: A\n\nd: x\n", MiniHelm.renderText(template, context));
        assertThrows(MiniHelm.RequiredValueMissing.class, () -> MiniHelm.renderText("{{ required \"say why\" .Values.empty }}", context));
        assertThrows(AssertionError.class, () -> MiniHelm.renderText("{{ .Values.nope }}", context), "an undefined value fails");
        assertThrows(AssertionError.class, () -> MiniHelm.renderText("{{ range .Values.list }}x{{ end }}", context), "unsupported: fails");
    }

    @Test
    void theChartIsAnApplicationWithAnOptionalBitnamiRedis() throws IOException {
        Map<String, Object> chart = yaml(CHART.resolve("Chart.yaml"));
        assertEquals("v2", chart.get("apiVersion"));
        assertEquals("roomcast", chart.get("name"));
        assertEquals("application", chart.get("type"));
        Map<String, Object> redis = map(list(chart.get("dependencies")).get(0));
        assertEquals("redis", redis.get("name"));
        assertEquals("redis.enabled", redis.get("condition"));
        assertTrue(String.valueOf(redis.get("repository")).contains("bitnami"), String.valueOf(redis.get("repository")));
        Map<String, Object> values = yaml(CHART.resolve("values.yaml"));
        assertEquals(false, map(values.get("redis")).get("enabled"), "Redis from the dependency only when asked");
        assertEquals(false, map(values.get("autoscaling")).get("enabled"), "the HPA is an example, off by default");
    }

    @Test
    void theProbesAskTheNodesOwnEndpointsOnThePortTheNodeListensOn() throws Exception {
        Map<String, Object> container = gateway(render(EXTERNAL_REDIS));
        Map<String, String> env = plainEnv(container);
        int port = containerPort(container, "http");
        assertEquals(Integer.toString(port), env.get(envOf("port")), "the node listens (PORT) where the container port is");
        assertEquals(port, map(yaml(CHART.resolve("values.yaml"))).get("port"));
        assertEquals("8080", defaultOf("port"), "the node's own default port");
        assertTrue(Files.readAllLines(ROOT.resolve("deploy/Dockerfile")).contains("EXPOSE " + port), "the image exposes the port");

        Map<String, String> probes = new LinkedHashMap<>();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Map<String, Object> httpGet = map(map(container.get(probe)).get("httpGet"));
            assertEquals("http", httpGet.get("port"), probe + " asks the container port named http");
            probes.put(probe, String.valueOf(httpGet.get("path")));
        }
        assertEquals("/healthz", probes.get("livenessProbe"), "alive: /healthz");
        assertEquals("/readyz", probes.get("readinessProbe"), "ready (takes players, Redis reachable): /readyz");
        assertEquals("/healthz", probes.get("startupProbe"));

        // The paths are the node's: a real node answers each with 200.
        Node node = TestNodes.start(config -> config.nodeId = "helm-probes");
        try {
            for (var probe : probes.entrySet()) {
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.port() + probe.getValue())).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode(), probe.getKey() + " " + probe.getValue() + ": " + answer.body());
            }
        } finally {
            node.stop();
        }
    }

    @Test
    void thePreStopHookDrainsTheNodeAndTheGracePeriodOutlastsIt() throws IOException {
        Map<String, Object> pod = podSpec(render(EXTERNAL_REDIS));
        Map<String, Object> container = gateway(render(EXTERNAL_REDIS));
        Map<String, Object> values = yaml(CHART.resolve("values.yaml"));

        List<Object> command = preStop(container);
        assertEquals(List.of("/bin/sh", "-c"), command.subList(0, 2), "a shell script: " + command);
        String script = String.valueOf(command.get(2));
        // It waits for the endpoints to drop the pod, then signals the JVM, which drains on SIGTERM (a
        // shutdown hook). Only sh, its builtin kill and sleep: the runtime image has them.
        Matcher hook = Pattern.compile("sleep (\\d+); kill -TERM 1").matcher(script);
        assertTrue(hook.matches(), "the hook waits, then signals PID 1: " + script);
        int delaySeconds = Integer.parseInt(hook.group(1));
        assertEquals(map(values.get("drain")).get("preStopDelaySeconds"), delaySeconds);
        // PID 1 is the JVM only with an exec-form ENTRYPOINT starting java, in a pod with its own PID namespace.
        List<String> dockerfile = Files.readAllLines(ROOT.resolve("deploy/Dockerfile"));
        assertTrue(dockerfile.stream().anyMatch(line -> line.startsWith("ENTRYPOINT [\"java\"")), "exec-form ENTRYPOINT [\"java\", ...]");
        assertNotEquals(true, pod.get("shareProcessNamespace"), "with a shared process namespace PID 1 is the pause container");
        assertTrue(dockerfile.get(lastIndexOf(dockerfile, "FROM ")).matches("FROM eclipse-temurin:\\d+-jre"),
                "the runtime image is Temurin's JRE on Ubuntu (sh, sleep): " + dockerfile.get(lastIndexOf(dockerfile, "FROM ")));

        Map<String, String> env = plainEnv(container);
        assertNotNull(env.get(envOf("drainTimeoutMs")), "the chart sets " + envOf("drainTimeoutMs") + ": " + env.keySet());
        long drainMs = Long.parseLong(env.get(envOf("drainTimeoutMs")));
        long defaultDrainMs = Long.parseLong(defaultOf("drainTimeoutMs"));
        assertEquals(defaultDrainMs, drainMs, "the chart keeps the node's default drain timeout");
        long graceMs = 1000L * ((Number) pod.get("terminationGracePeriodSeconds")).longValue();
        long hookMs = 1000L * delaySeconds + Math.max(drainMs, defaultDrainMs);
        assertTrue(graceMs > hookMs, "terminationGracePeriodSeconds (" + graceMs + " ms) must outlast the preStop delay and the drain ("
                + hookMs + " ms): past it the kubelet kills the node mid-drain");

        // A draining node answers /healthz 503: liveness must not restart it before the drain ends.
        Map<String, Object> liveness = map(container.get("livenessProbe"));
        long livenessMs = 1000L * ((Number) liveness.get("periodSeconds")).longValue() * ((Number) liveness.get("failureThreshold")).longValue();
        assertTrue(livenessMs > hookMs, "liveness fails after " + livenessMs + " ms, the drain takes up to " + hookMs + " ms");
    }

    /**
     * The rendered preStop command, run as the kubelet would run it in the container: in the PID
     * namespace of a node that is PID 1 there (as the image's exec-form ENTRYPOINT makes it). The
     * node drains (its player closed with 1012) and exits within the grace period. Needs
     * {@code unshare --pid} (root, as here and in CI's container); skipped where it is not allowed.
     */
    @Test
    void thePreStopCommandDrainsANodeThatIsPid1OfItsNamespace() throws Exception {
        Path unshare = Commands.executable("unshare", "/usr/bin").orElse(null);
        Path nsenter = Commands.executable("nsenter", "/usr/bin").orElse(null);
        Assumptions.assumeTrue(unshare != null && nsenter != null, "no unshare/nsenter (util-linux)");
        Assumptions.assumeTrue(Commands.run(ROOT, Map.of(), Duration.ofSeconds(10), unshare.toString(), "--pid", "--fork", "--mount-proc", "true")
                .exitCode() == 0, "unshare --pid is not allowed here");

        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Map<String, Object> set = new HashMap<>(EXTERNAL_REDIS);
        set.put("port", port);
        set.put("drain.preStopDelaySeconds", 1);
        MiniHelm.Rendered chart = render(set);
        Map<String, Object> container = gateway(chart);
        List<Object> command = preStop(container);
        long graceSeconds = ((Number) podSpec(chart).get("terminationGracePeriodSeconds")).longValue();

        // The node as the container runs it, but embedded (no Redis here): same SIGTERM drain path.
        Map<String, String> env = plainEnv(container);
        Path log = Files.createTempFile("roomcast-prestop-", ".log");
        ProcessBuilder builder = new ProcessBuilder(unshare.toString(), "--pid", "--fork", "--mount-proc",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "io.roomcast.gateway.Main")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        String classpath = System.getProperty("surefire.test.class.path", "");
        builder.environment().put("CLASSPATH", classpath.isBlank() ? System.getProperty("java.class.path") : classpath);
        builder.environment().put("PORT", env.get("PORT"));
        builder.environment().put("HOST", "127.0.0.1");
        builder.environment().put("NODE_ID", "prestop-pid1");
        builder.environment().put("DRAIN_TIMEOUT_MS", env.get("DRAIN_TIMEOUT_MS"));
        builder.environment().remove("REDIS_URL");
        Process namespace = builder.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!ready(http, port)) {
                assertTrue(namespace.isAlive(), "the node exited at start:\n" + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "the node was not ready within 60 s:\n" + Files.readString(log));
                Thread.sleep(200);
            }
            long javaPid = namespace.toHandle().children().findFirst().orElseThrow().pid();
            try (TestClient player = TestClient.connect(port)) {
                player.hello("leaving-soon");
                List<String> hook = new java.util.ArrayList<>(List.of(nsenter.toString(), "-t", Long.toString(javaPid), "-p", "-m"));
                command.forEach(part -> hook.add(String.valueOf(part)));
                long started = System.nanoTime();
                Commands.Result result = Commands.run(ROOT, Map.of(), Duration.ofSeconds(graceSeconds), hook.toArray(String[]::new));
                assertEquals(0, result.exitCode(), result.describe());
                assertEquals(1012, player.awaitClose(), "the player is told to reconnect (service restart)");
                assertTrue(namespace.waitFor(graceSeconds * 1000 - (System.nanoTime() - started) / 1_000_000, TimeUnit.MILLISECONDS),
                        "the node exits within terminationGracePeriodSeconds (" + graceSeconds + " s):\n" + Files.readString(log));
            }
            String output = Files.readString(log);
            assertTrue(output.contains("node prestop-pid1 draining") && output.contains("node prestop-pid1 stopped"), output);
        } finally {
            namespace.destroyForcibly(); // unshare --fork: killing it kills the namespace's PID 1, and so everything in it
            namespace.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    @Test
    void everyEnvironmentVariableIsANodeSettingAndRedisIsTheExternalOne() throws Exception {
        Map<String, Object> container = gateway(render(EXTERNAL_REDIS));
        Set<String> settings = nodeEnvironmentVariables();
        for (Object entry : list(container.get("env"))) {
            String name = String.valueOf(map(entry).get("name"));
            assertTrue(settings.contains(name) || JVM_ENV.contains(name), name + " is not a node setting (NodeConfig): " + settings);
        }
        Map<String, String> env = plainEnv(container);
        assertEquals(REDIS_URL, env.get(envOf("redisUrl")));
        assertEquals("0.0.0.0", env.get(envOf("host")));
        Map<String, Object> nodeId = envEntry(container, envOf("nodeId"));
        assertEquals("metadata.name", map(map(nodeId.get("valueFrom")).get("fieldRef")).get("fieldPath"), "NODE_ID: the pod's unique name");
        assertFalse(env.containsKey("REDIS_PASSWORD") || envEntry(container, "REDIS_PASSWORD") != null, "no password unless a secret is named");

        Map<String, Object> withSecrets = gateway(render(Map.of("externalRedis.url", REDIS_URL, "externalRedis.existingSecret", "redis-creds",
                "auth.jwtSecretName", "jwt", "trustedProxies", "10.0.0.0/8")));
        Map<String, Object> password = map(map(envEntry(withSecrets, "REDIS_PASSWORD").get("valueFrom")).get("secretKeyRef"));
        assertEquals(Map.of("name", "redis-creds", "key", "redis-password"), password);
        assertEquals(Map.of("name", "jwt", "key", "jwt-secret"), map(map(envEntry(withSecrets, "AUTH_JWT_SECRET").get("valueFrom")).get("secretKeyRef")));
        assertEquals("10.0.0.0/8", plainEnv(withSecrets).get("TRUSTED_PROXIES"));
        for (Object entry : list(withSecrets.get("env"))) {
            String name = String.valueOf(map(entry).get("name"));
            assertTrue(settings.contains(name) || JVM_ENV.contains(name), name + " is not a node setting");
        }
    }

    @Test
    void redisComesFromTheDependencyOrAnExternalUrlAndOneIsRequired() {
        Map<String, Object> bundled = gateway(render(Map.of("redis.enabled", true)));
        assertEquals("redis://" + RELEASE + "-redis-master:6379", plainEnv(bundled).get("REDIS_URL"), "Bitnami's master Service");
        assertEquals(Map.of("name", RELEASE + "-redis", "key", "redis-password"),
                map(map(envEntry(bundled, "REDIS_PASSWORD").get("valueFrom")).get("secretKeyRef")), "Bitnami's password secret");

        MiniHelm.RequiredValueMissing none = assertThrows(MiniHelm.RequiredValueMissing.class, () -> render(Map.of()),
                "without Redis each pod would be a separate single-node server");
        assertTrue(none.getMessage().contains("externalRedis.url") && none.getMessage().contains("redis.enabled"), none.getMessage());
    }

    @Test
    void theServiceRoutesToTheGatewayPortWithoutStickiness() throws IOException {
        MiniHelm.Rendered chart = render(EXTERNAL_REDIS);
        Map<String, Object> service = chart.one("Service");
        Map<String, Object> spec = map(service.get("spec"));
        Map<String, Object> values = yaml(CHART.resolve("values.yaml"));
        Map<String, Object> port = map(list(spec.get("ports")).get(0));
        assertEquals(map(values.get("service")).get("port"), port.get("port"));
        assertEquals("http", port.get("targetPort"));
        assertEquals(containerPort(gateway(chart), "http"), map(values).get("port"), "targetPort http is the node's port");
        assertEquals("None", spec.get("sessionAffinity"), "no stickiness: any node serves any player");
        assertSelects(map(spec.get("selector")), chart);
    }

    @Test
    void aDisruptionBudgetLetsOneGatewayDrainAtATime() {
        MiniHelm.Rendered chart = render(EXTERNAL_REDIS);
        Map<String, Object> pdb = chart.one("PodDisruptionBudget");
        assertEquals("policy/v1", pdb.get("apiVersion"));
        Map<String, Object> spec = map(pdb.get("spec"));
        assertEquals(1, spec.get("maxUnavailable"));
        assertSelects(map(map(spec.get("selector")).get("matchLabels")), chart);
    }

    @Test
    void theAutoscalerIsOffByDefaultAndScalesOnTheSessionsMetricWhenOn() throws Exception {
        MiniHelm.Rendered byDefault = render(EXTERNAL_REDIS);
        assertTrue(byDefault.ofKind("HorizontalPodAutoscaler").isEmpty(), "no HPA by default");
        assertNotNull(map(byDefault.one("Deployment").get("spec")).get("replicas"), "a fixed replica count without the HPA");

        Map<String, Object> on = new HashMap<>(EXTERNAL_REDIS);
        on.put("autoscaling.enabled", true);
        MiniHelm.Rendered scaled = render(on);
        Map<String, Object> hpa = scaled.one("HorizontalPodAutoscaler");
        assertEquals("autoscaling/v2", hpa.get("apiVersion"));
        Map<String, Object> spec = map(hpa.get("spec"));
        Map<String, Object> target = map(spec.get("scaleTargetRef"));
        assertEquals("Deployment", target.get("kind"));
        assertEquals(map(scaled.one("Deployment").get("metadata")).get("name"), target.get("name"));
        assertFalse(map(scaled.one("Deployment").get("spec")).containsKey("replicas"), "the HPA owns the replica count");
        Map<String, Object> metric = map(list(spec.get("metrics")).get(0));
        assertEquals("Pods", metric.get("type"));
        String name = String.valueOf(map(map(metric.get("pods")).get("metric")).get("name"));
        assertEquals("AverageValue", map(map(metric.get("pods")).get("target")).get("type"));

        // The metric is one a node exports (prometheus-adapter serves it under that name by default).
        Node node = TestNodes.start(config -> config.nodeId = "helm-hpa");
        try {
            String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(DashboardMetricsTest.samplesAndTheirLabels(scrape).containsKey(name), name + " is in a node's /metrics");
        } finally {
            node.stop();
        }
    }

    // ───────────── helpers ─────────────

    private static MiniHelm.Rendered render(Map<String, Object> set) {
        return MiniHelm.render(CHART, RELEASE, set);
    }

    private static List<Object> preStop(Map<String, Object> container) {
        return list(map(map(map(container.get("lifecycle")).get("preStop")).get("exec")).get("command"));
    }

    private static boolean ready(HttpClient http, int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Map<String, Object> podSpec(MiniHelm.Rendered chart) {
        return map(map(map(map(chart.one("Deployment").get("spec")).get("template"))).get("spec"));
    }

    /** The gateway container of the Deployment. */
    private static Map<String, Object> gateway(MiniHelm.Rendered chart) {
        List<Object> containers = list(podSpec(chart).get("containers"));
        assertEquals(1, containers.size(), "one container: " + containers);
        return map(containers.get(0));
    }

    private static int containerPort(Map<String, Object> container, String name) {
        for (Object port : list(container.get("ports"))) {
            if (name.equals(map(port).get("name"))) {
                return ((Number) map(port).get("containerPort")).intValue();
            }
        }
        throw new AssertionError("no container port named " + name + ": " + container.get("ports"));
    }

    /** Env entries with a plain value: name -> value. */
    private static Map<String, String> plainEnv(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object entry : list(container.get("env"))) {
            Map<String, Object> e = map(entry);
            if (e.containsKey("value")) {
                assertTrue(e.get("value") instanceof String, "env values are strings in Kubernetes: " + e);
                assertFalse(env.containsKey(String.valueOf(e.get("name"))), "set twice: " + e.get("name"));
                env.put(String.valueOf(e.get("name")), (String) e.get("value"));
            }
        }
        return env;
    }

    private static Map<String, Object> envEntry(Map<String, Object> container, String name) {
        return list(container.get("env")).stream().map(HelmChartTest::map).filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
    }

    /** The Deployment's selector and its pods' labels include {@code selector}. */
    private static void assertSelects(Map<String, Object> selector, MiniHelm.Rendered chart) {
        Map<String, Object> spec = map(chart.one("Deployment").get("spec"));
        Map<String, Object> podLabels = map(map(map(spec.get("template")).get("metadata")).get("labels"));
        assertEquals(map(map(spec.get("selector")).get("matchLabels")), selector, "the same selector as the Deployment's");
        for (var label : selector.entrySet()) {
            assertEquals(label.getValue(), podLabels.get(label.getKey()), "the pods carry " + label);
        }
    }

    /** The environment variable a NodeConfig field reads ({@code ${env:NAME:-default}}). */
    private static String envOf(String field) {
        return envDefault(field).group(1);
    }

    /** A NodeConfig field's default as written in its annotation (this JVM's environment aside). */
    private static String defaultOf(String field) {
        return envDefault(field).group(2);
    }

    private static Matcher envDefault(String field) {
        try {
            Option option = NodeConfig.class.getField(field).getAnnotation(Option.class);
            Matcher m = Pattern.compile("\\$\\{env:([A-Z0-9_]+):-(.*)}").matcher(option.defaultValue());
            assertTrue(m.matches(), field + ": " + option.defaultValue());
            return m;
        } catch (NoSuchFieldException e) {
            throw new AssertionError("NodeConfig has no field " + field, e);
        }
    }

    private static Set<String> nodeEnvironmentVariables() {
        Set<String> names = new TreeSet<>();
        for (Field field : NodeConfig.class.getFields()) {
            if (field.getAnnotation(Option.class) != null) {
                names.add(envOf(field.getName()));
            }
        }
        assertTrue(names.contains("REDIS_URL") && names.contains("DRAIN_TIMEOUT_MS"), String.valueOf(names));
        return names;
    }

    private static int lastIndexOf(List<String> lines, String prefix) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starting with " + prefix);
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return map(new Yaml().load(Files.readString(file)));
    }

    private static Map<String, Object> map(Object value) {
        return MiniHelm.map(value, String.valueOf(value));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        assertTrue(value instanceof List, "not a list: " + value);
        return (List<Object>) value;
    }
}
