package io.roomcast.gateway.ws;

import io.roomcast.gateway.http.ConnectionGate;
import io.roomcast.gateway.auth.Authenticator;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Accepts WebSocket upgrades on /ws and tracks the open connections. Thread-safe. */
public final class WsEndpoint {

    private final WsServices services;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<XnioIoThread, IoLoop> loops = new ConcurrentHashMap<>();
    private final ConnectionGate gate;
    private final HttpHandler upgrade;

    private final Authenticator authenticator;

    public WsEndpoint(WsServices services, ConnectionGate gate, Authenticator authenticator) {
        this.services = services;
        this.gate = gate;
        this.authenticator = authenticator;
        this.upgrade = new WebSocketUpgrade(gate, new OriginPolicy(services.config().allowedOrigins,
                services.config().embedded()), services.metrics(), this::upgraded);
    }

    /** Checks {@code --allowed-origins}; throws {@link IllegalArgumentException} naming a bad entry. */
    public static void validateOrigins(String allowedOrigins) {
        OriginPolicy.validate(allowedOrigins);
    }

    /** The HTTP handler of /ws: the opening handshake. */
    public HttpHandler handler() {
        return upgrade;
    }

    /** On the connection's I/O thread, right after the 101 response. */
    private void upgraded(StreamConnection stream, HttpServerExchange exchange) {
        gate.upgraded(stream);
        HeaderMap headers = exchange.getRequestHeaders();
        InetAddress client = gate.addresses().clientOf(stream.getPeerAddress(), headers.getLast(Headers.X_FORWARDED_FOR));
        IoLoop loop = loops.computeIfAbsent(stream.getIoThread(), IoLoop::new);
        Connection connection = new Connection(new WsSocket(stream, loop, services.config().maxFrameBytes, services.metrics().sentBytes), services,
                authenticator, client, headers.getFirst(Headers.ORIGIN), open::remove);
        open.add(connection);
        connection.start();
    }

    public int openConnections() {
        return open.size();
    }

    /** Tells every client to reconnect elsewhere (1012), for a node that is going down. */
    public void closeAll() {
        open.forEach(connection -> connection.close(CloseCodes.SERVICE_RESTART, "service restart"));
    }
}
