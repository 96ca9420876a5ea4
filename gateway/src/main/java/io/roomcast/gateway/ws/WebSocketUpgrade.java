package io.roomcast.gateway.ws;

import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.http.ConnectionGate;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import org.xnio.StreamConnection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * The WebSocket opening handshake (RFC 6455 section 4.2) on an Undertow HTTP exchange: checks the
 * request, answers 101 with the accept key, and hands the raw connection over. A request that is
 * not a valid upgrade gets a plain HTTP error saying why. Runs on the I/O thread.
 */
final class WebSocketUpgrade implements HttpHandler {

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final HttpString SEC_WEBSOCKET_KEY = new HttpString("Sec-WebSocket-Key");
    private static final HttpString SEC_WEBSOCKET_VERSION = new HttpString("Sec-WebSocket-Version");
    private static final HttpString SEC_WEBSOCKET_ACCEPT = new HttpString("Sec-WebSocket-Accept");

    private final ConnectionGate gate;
    private final OriginPolicy origins;
    private final NodeMetrics metrics;
    private final BiConsumer<StreamConnection, HttpServerExchange> upgraded;

    WebSocketUpgrade(ConnectionGate gate, OriginPolicy origins, NodeMetrics metrics,
                     BiConsumer<StreamConnection, HttpServerExchange> upgraded) {
        this.gate = gate;
        this.origins = origins;
        this.metrics = metrics;
        this.upgraded = upgraded;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        HeaderMap request = exchange.getRequestHeaders();
        String key = request.getFirst(SEC_WEBSOCKET_KEY);
        if (!gate.allowHandshake(exchange)) {
            return; // answered 429
        }
        if (!origins.allows(request.getFirst(Headers.ORIGIN), request.getFirst(Headers.HOST))) {
            metrics.originsRefused.increment();
            refuse(exchange, StatusCodes.FORBIDDEN, "this page's origin may not open a WebSocket here");
        } else if (!exchange.getRequestMethod().equals(Methods.GET)) {
            refuse(exchange, StatusCodes.METHOD_NOT_ALLOWED, "a WebSocket upgrade is a GET");
        } else if (!hasToken(request.getFirst(Headers.UPGRADE), "websocket")
                || !hasToken(request.getFirst(Headers.CONNECTION), "upgrade")) {
            refuse(exchange, StatusCodes.UPGRADE_REQUIRED, "this endpoint speaks WebSocket only");
        } else if (!"13".equals(request.getFirst(SEC_WEBSOCKET_VERSION))) {
            exchange.getResponseHeaders().put(SEC_WEBSOCKET_VERSION, "13");
            refuse(exchange, StatusCodes.UPGRADE_REQUIRED, "WebSocket version 13 only");
        } else if (!validKey(key)) {
            refuse(exchange, StatusCodes.BAD_REQUEST, "Sec-WebSocket-Key missing or not 16 bytes of base64");
        } else {
            exchange.getResponseHeaders().put(SEC_WEBSOCKET_ACCEPT, acceptKey(key.strip()));
            exchange.upgradeChannel("websocket", (connection, ex) -> upgraded.accept(connection, ex));
            exchange.endExchange();
        }
    }

    private static boolean validKey(String key) {
        try {
            return key != null && Base64.getDecoder().decode(key.strip()).length == 16;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    static String acceptKey(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static boolean hasToken(String header, String token) {
        if (header == null) {
            return false;
        }
        for (String part : header.split(",")) {
            if (part.strip().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }

    private static void refuse(HttpServerExchange exchange, int status, String why) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(why + "\n");
    }
}
