package io.roomcast.gateway.http;

import io.roomcast.gateway.admin.AdminAccess;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.MimeMappings;
import io.undertow.util.StatusCodes;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * {@code /admin}: the read-only admin page ({@code admin/} of the classpath: plain HTML and
 * JavaScript, no data in them) and its data, {@code /admin/api/cluster} (every node, every room)
 * and {@code /admin/api/node} (this node's report). {@link AdminAccess} decides: off, every path
 * answers 404; otherwise the data answers 401 without the token, and nothing else.
 */
public final class AdminRoutes {

    private static final HttpString CACHE_CONTROL = new HttpString("Cache-Control");
    private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
    private static final HttpString REFERRER = new HttpString("Referrer-Policy");
    private static final HttpString FRAMES = new HttpString("X-Frame-Options");
    private static final HttpString CSP = new HttpString("Content-Security-Policy");

    private AdminRoutes() {}

    /**
     * @param node    this node's report, made now (called off the I/O thread)
     * @param cluster the merged view of every node (called off the I/O thread; may complete on any)
     */
    public static HttpHandler create(AdminAccess access, Supplier<Map<String, Object>> node,
                                     Supplier<CompletionStage<Map<String, Object>>> cluster) {
        ResourceHandler files = new ResourceHandler(new ClassPathResourceManager(AdminRoutes.class.getClassLoader(), "admin"))
                .setMimeMappings(MimeMappings.builder().addMapping("js", "text/javascript; charset=utf-8").build())
                .setDirectoryListingEnabled(false)
                .setCacheTime(0);
        return exchange -> {
            var headers = exchange.getResponseHeaders();
            headers.put(CACHE_CONTROL, "no-store");
            headers.put(NOSNIFF, "nosniff");
            headers.put(REFERRER, "no-referrer");
            headers.put(FRAMES, "DENY");
            headers.put(CSP, "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
            if (access.mode() == AdminAccess.Mode.OFF) {
                text(exchange, StatusCodes.NOT_FOUND, "Not Found\n");
                return;
            }
            if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
                headers.put(Headers.ALLOW, "GET, HEAD");
                text(exchange, StatusCodes.METHOD_NOT_ALLOWED, "GET only\n");
                return;
            }
            String path = exchange.getRelativePath();
            if (path.startsWith("/api/")) {
                if (!access.allows(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION))) {
                    headers.put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"roomcast admin\"");
                    text(exchange, StatusCodes.UNAUTHORIZED, "the admin token is required: Authorization: Bearer <ADMIN_TOKEN>\n");
                    return;
                }
                switch (path) {
                    case "/api/node" -> answer(exchange, () -> java.util.concurrent.CompletableFuture.completedFuture(node.get()));
                    case "/api/cluster" -> answer(exchange, cluster);
                    default -> text(exchange, StatusCodes.NOT_FOUND, "Not Found\n");
                }
                return;
            }
            if (path.isEmpty() || path.equals("/")) {
                exchange.setRelativePath("/index.html");
            }
            files.handleRequest(exchange);
        };
    }

    /**
     * The view made on the worker pool (it walks every room), answered on the exchange's I/O thread
     * whenever it completes (Redis answers on its own threads). A dispatched task does not end the
     * exchange when it returns: the answer does.
     */
    private static void answer(HttpServerExchange exchange, Supplier<CompletionStage<Map<String, Object>>> view) {
        exchange.dispatch(exchange.getDispatchExecutor(), () -> {
            CompletionStage<Map<String, Object>> made;
            try {
                made = view.get();
            } catch (RuntimeException e) {
                made = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            made.whenComplete((value, failure) -> exchange.getIoThread().execute(() -> {
                if (failure != null) {
                    text(exchange, StatusCodes.INTERNAL_SERVER_ERROR, "the admin view failed\n");
                } else {
                    json(exchange, value);
                }
            }));
        });
    }

    private static void json(HttpServerExchange exchange, Map<String, Object> value) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(Json.value(value));
    }

    private static void text(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(body);
    }
}
