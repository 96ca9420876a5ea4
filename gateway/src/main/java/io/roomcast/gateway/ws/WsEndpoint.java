package io.roomcast.gateway.ws;

import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;

import java.util.concurrent.ConcurrentHashMap;

/** Accepts WebSocket upgrades on /ws and tracks the open connections. Thread-safe. */
public final class WsEndpoint implements WebSocketConnectionCallback {

    private final WsServices services;
    private final ConcurrentHashMap<WebSocketChannel, Connection> open = new ConcurrentHashMap<>();

    public WsEndpoint(WsServices services) {
        this.services = services;
    }

    @Override
    public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        Connection connection = new Connection(channel, services);
        open.put(channel, connection);
        channel.addCloseTask(open::remove);
        connection.start();
    }

    public int openConnections() {
        return open.size();
    }

    /** Tells every client to reconnect elsewhere (1012), for a node that is going down. */
    public void closeAll() {
        open.values().forEach(connection -> connection.close(CloseCodes.SERVICE_RESTART, "service restart"));
    }
}
