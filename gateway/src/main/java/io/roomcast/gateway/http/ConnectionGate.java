package io.roomcast.gateway.http;

import io.roomcast.gateway.NodeMetrics;
import io.roomcast.gateway.session.RateLimiter;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The limits a connection meets before any protocol runs: TCP connections per node and per
 * client address (counted from accept to close, HTTP and WebSocket alike), a deadline for the
 * first HTTP request (slowloris: a client that sends its request line and headers slowly, or
 * never), and WebSocket handshakes per second per client address. Every refusal is counted by
 * cause in {@link NodeMetrics}.
 *
 * <p>A connection over a connection limit is answered at accept, before any byte of it is read,
 * with a fixed {@code 503} and closed; a handshake over the rate gets {@code 429} from
 * {@link #allowHandshake}. Connections from a trusted proxy ({@code --trusted-proxies}) count
 * against the node only: the proxy carries many clients, whose own addresses are known per
 * request ({@code X-Forwarded-For}) and so limited per handshake.
 *
 * <p>Threading: the accept callback, the deadline and the request hook run on the connection's
 * I/O thread; the counters are shared by every I/O thread and lock-free (per-address counts are
 * updated atomically per key).
 */
public final class ConnectionGate {

    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);
    private static final HttpString RETRY_AFTER = new HttpString("Retry-After");
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a refused connection may read our 503 before it is closed. */
    private static final long REFUSAL_LINGER_MS = 500;

    /** One accepted connection, from accept until its close. */
    private final class Slot {
        final String key;            // the per-address key, null for a trusted proxy
        final SocketAddress peer;
        final AtomicBoolean released = new AtomicBoolean();
        volatile boolean requestSeen;
        volatile XnioExecutor.Key deadline;

        Slot(String key, SocketAddress peer) {
            this.key = key;
            this.peer = peer;
        }
    }

    /** A client address's handshake bucket and when it was last used (idle ones are swept). */
    private static final class Bucket {
        final RateLimiter limiter;
        long lastUsedNanos;

        Bucket(int perSecond, long now) {
            this.limiter = new RateLimiter(perSecond, now);
            this.lastUsedNanos = now;
        }
    }

    private final int maxConnections;
    private final int maxPerAddress;
    private final int handshakesPerSecond;
    private final long requestTimeoutMillis;
    private final ClientAddresses addresses;
    private final NodeMetrics metrics;
    private final LongSupplier nanoTime;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SocketAddress, Slot> slots = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweepNanos;

    public ConnectionGate(int maxConnections, int maxPerAddress, int handshakesPerSecond, long requestTimeoutMillis,
                          ClientAddresses addresses, NodeMetrics metrics, LongSupplier nanoTime) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.handshakesPerSecond = handshakesPerSecond;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.addresses = addresses;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.lastSweepNanos = new AtomicLong(nanoTime.getAsLong());
    }

    /** TCP connections open now (HTTP and WebSocket). */
    public int openConnections() {
        return open.get();
    }

    public ClientAddresses addresses() {
        return addresses;
    }

    // ───────────── accept (I/O thread) ─────────────

    /** Wraps the HTTP open listener: admits a connection, or answers 503 and closes it. */
    public ChannelListener<StreamConnection> accepting(ChannelListener<StreamConnection> httpOpen) {
        return connection -> {
            SocketAddress peer = connection.getPeerAddress();
            InetAddress address = peer instanceof InetSocketAddress socket ? socket.getAddress() : null;
            String key = address == null || addresses.isTrustedProxy(address) ? null : ClientAddresses.keyOf(address);
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                metrics.connectionsRefusedNode.increment();
                refuse(connection, "this node is at its connection limit; try again later or another node");
                return;
            }
            if (key != null && perAddress.merge(key, 1, Integer::sum) > maxPerAddress) {
                perAddress.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
                open.decrementAndGet();
                metrics.connectionsRefusedAddress.increment();
                refuse(connection, "too many connections from your address");
                return;
            }
            Slot slot = new Slot(key, peer);
            slots.put(peer, slot);
            slot.deadline = connection.getIoThread().executeAfter(() -> requestTimedOut(connection, slot),
                    requestTimeoutMillis, TimeUnit.MILLISECONDS);
            httpOpen.handleEvent(connection);
            ChannelListener<? super StreamConnection> http = connection.getCloseListener();
            connection.setCloseListener(closed -> {
                release(slot);
                ChannelListeners.invokeChannelListener(closed, http);
            });
            if (!connection.isOpen()) {
                release(slot);
            }
        };
    }

    private void requestTimedOut(StreamConnection connection, Slot slot) {
        if (!slot.requestSeen && connection.isOpen()) {
            metrics.requestTimeouts.increment();
            log.debug("no complete HTTP request from {} within {} ms: closing", slot.peer, requestTimeoutMillis);
            IoUtils.safeClose(connection);
        }
    }

    /** Marks every request's connection as having sent a whole request (its deadline is off). */
    public HttpHandler markingRequests(HttpHandler next) {
        return exchange -> {
            Slot slot = slots.get(exchange.getConnection().getPeerAddress());
            if (slot != null && !slot.requestSeen) {
                slot.requestSeen = true;
                XnioExecutor.Key deadline = slot.deadline;
                if (deadline != null) {
                    deadline.remove();
                }
            }
            next.handleRequest(exchange);
        };
    }

    /**
     * The connection became a WebSocket: from now on its close is seen by the socket layer,
     * which chains the listener set here (the slot is released when it closes).
     */
    public void upgraded(StreamConnection connection) {
        Slot slot = slots.get(connection.getPeerAddress());
        if (slot != null) {
            connection.setCloseListener(closed -> release(slot));
            if (!connection.isOpen()) {
                release(slot);
            }
        }
    }

    private void release(Slot slot) {
        if (!slot.released.compareAndSet(false, true)) {
            return;
        }
        XnioExecutor.Key deadline = slot.deadline;
        if (deadline != null) {
            deadline.remove();
        }
        slots.remove(slot.peer, slot);
        if (slot.key != null) {
            perAddress.computeIfPresent(slot.key, (k, n) -> n <= 1 ? null : n - 1);
        }
        open.decrementAndGet();
    }

    /** A fixed answer written straight to the new socket (it is empty: the write never blocks). */
    private static void refuse(StreamConnection connection, String why) {
        byte[] body = (why + "\n").getBytes(StandardCharsets.US_ASCII);
        String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Retry-After: 5\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
        out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
        try {
            connection.getSinkChannel().write(out);
            connection.getSinkChannel().shutdownWrites();
            connection.getSinkChannel().flush();
        } catch (IOException e) {
            IoUtils.safeClose(connection);
            return;
        }
        // Closing at once with the client's request unread would reset the connection, and the
        // client might lose the answer: let it read, then close.
        connection.getIoThread().executeAfter(() -> IoUtils.safeClose(connection), REFUSAL_LINGER_MS, TimeUnit.MILLISECONDS);
    }

    // ───────────── handshakes (I/O thread) ─────────────

    /**
     * Takes a handshake token of the request's client address; when there is none, answers
     * {@code 429} and returns false.
     */
    public boolean allowHandshake(HttpServerExchange exchange) {
        InetAddress client = addresses.clientOf(exchange.getConnection().getPeerAddress(),
                exchange.getRequestHeaders().getLast(Headers.X_FORWARDED_FOR));
        if (client == null) {
            return true;
        }
        long now = nanoTime.getAsLong();
        sweep(now);
        Bucket bucket = buckets.computeIfAbsent(ClientAddresses.keyOf(client), k -> new Bucket(handshakesPerSecond, now));
        boolean allowed;
        synchronized (bucket) {
            bucket.lastUsedNanos = now;
            allowed = bucket.limiter.tryAcquire(now);
        }
        if (!allowed) {
            metrics.handshakesRefusedRate.increment();
            exchange.setStatusCode(429);
            exchange.getResponseHeaders().put(RETRY_AFTER, "1");
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getResponseSender().send("over " + handshakesPerSecond + " WebSocket handshakes per second from your address\n");
        }
        return allowed;
    }

    /** Forgets buckets unused for a second: they are full again, the same as a new one. */
    private void sweep(long now) {
        long last = lastSweepNanos.get();
        if (now - last < SWEEP_INTERVAL_NANOS || !lastSweepNanos.compareAndSet(last, now)) {
            return;
        }
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket bucket = it.next();
            synchronized (bucket) {
                if (now - bucket.lastUsedNanos > SWEEP_INTERVAL_NANOS) {
                    it.remove();
                }
            }
        }
    }
}
