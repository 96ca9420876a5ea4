package io.roomcast.gateway.http;

import io.roomcast.gateway.metrics.PrometheusMetrics;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.MimeMappings;
import io.undertow.util.StatusCodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node's HTTP surface: {@code /ws} (the protocol), {@code /healthz}, {@code /readyz}, {@code /metrics}, and
 * the browser demo's static files with the protobufjs bundle and the .proto contract, and
 * {@code /admin} ({@link AdminRoutes}).
 */
public final class HttpRoutes {

    /** Where the protobufjs WebJar keeps its browser bundles, under its version. */
    private static final String PROTOBUFJS_DIST = "META-INF/resources/webjars/protobufjs/%s/dist";
    private static final String PROTOBUFJS_POM = "META-INF/maven/org.webjars.npm/protobufjs/pom.properties";

    private HttpRoutes() {}

    /**
     * @param healthy the node serves (not draining): {@code /healthz} answers 200, else 503
     * @param ready   the node takes players now (not draining, and Redis reachable in a cluster):
     *                {@code /readyz} answers 200, else 503 — what a load balancer or Kubernetes
     *                should route by
     */
    public static HttpHandler create(HttpHandler webSocket, BooleanSupplier healthy, BooleanSupplier ready,
                                     Supplier<Map<String, Object>> status, PrometheusMetrics metrics, HttpHandler admin) {
        ClassLoader loader = HttpRoutes.class.getClassLoader();
        MimeMappings mime = MimeMappings.builder().addMapping("proto", "text/plain; charset=utf-8")
                .addMapping("js", "text/javascript; charset=utf-8").build();
        return Handlers.path()
                .addExactPath("/ws", webSocket)
                .addExactPath("/healthz", exchange -> {
                    exchange.setStatusCode(healthy.getAsBoolean() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE);
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                    exchange.getResponseSender().send(Json.object(status.get()));
                })
                .addExactPath("/readyz", exchange -> {
                    boolean isReady = ready.getAsBoolean();
                    exchange.setStatusCode(isReady ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE);
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                    exchange.getResponseSender().send(isReady ? "ready\n" : "not ready\n");
                })
                .addExactPath("/metrics", exchange -> {
                    if (exchange.isInIoThread()) {
                        exchange.dispatch(exchange.getDispatchExecutor(), () -> sendMetrics(exchange, metrics));
                        return;
                    }
                    sendMetrics(exchange, metrics);
                })
                .addPrefixPath("/admin", admin)
                .addPrefixPath("/vendor", staticFiles(loader, PROTOBUFJS_DIST.formatted(webjarVersion(loader)), mime))
                .addPrefixPath("/proto/roomcast", staticFiles(loader, "roomcast", mime))
                .addPrefixPath("/", staticFiles(loader, "web", mime).setWelcomeFiles("index.html"));
    }

    /** A scrape reads every meter (and counts rooms): off the I/O thread, on the worker pool. */
    private static void sendMetrics(io.undertow.server.HttpServerExchange exchange, PrometheusMetrics metrics) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, PrometheusMetrics.CONTENT_TYPE);
        exchange.getResponseSender().send(metrics.scrape());
    }

    private static String webjarVersion(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(PROTOBUFJS_POM)) {
            if (in == null) {
                throw new IllegalStateException("protobufjs WebJar missing from the classpath: " + PROTOBUFJS_POM);
            }
            Properties pom = new Properties();
            pom.load(in);
            return pom.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ResourceHandler staticFiles(ClassLoader loader, String root, MimeMappings mime) {
        return new ResourceHandler(new ClassPathResourceManager(loader, root))
                .setMimeMappings(mime)
                .setDirectoryListingEnabled(false)
                .setCacheTime(60);
    }
}
