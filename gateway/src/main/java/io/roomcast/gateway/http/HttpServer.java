package io.roomcast.gateway.http;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * The node's HTTP listener: Undertow's HTTP/1.1 on an XNIO worker, as {@code Undertow.start()}
 * builds it, with the {@link ConnectionGate} in front of every accepted connection (Undertow's
 * builder has no place for a hook at accept). Undertow's own request timeouts bound every
 * request after a connection's first (the gate times the first): {@code REQUEST_PARSE_TIMEOUT}
 * from a request's first byte to its last header, {@code NO_REQUEST_TIMEOUT} for a keep-alive
 * connection with no request. For one thread (the node's start and stop).
 */
public final class HttpServer implements AutoCloseable {

    private static final int BUFFER_BYTES = 16 * 1024;

    private final String host;
    private final int port;
    private final int ioThreads;
    private final int workerThreads;
    private final int requestTimeoutMillis;
    private final HttpHandler root;
    private final ConnectionGate gate;
    private XnioWorker worker;
    private AcceptingChannel<StreamConnection> channel;

    public HttpServer(String host, int port, int ioThreads, int workerThreads, int requestTimeoutMillis,
                      HttpHandler root, ConnectionGate gate) {
        this.host = host;
        this.port = port;
        this.ioThreads = ioThreads;
        this.workerThreads = workerThreads;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.root = root;
        this.gate = gate;
    }

    public HttpServer start() {
        try {
            Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
            worker = xnio.createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.CONNECTION_HIGH_WATER, 1_000_000) // the gate limits connections, with an answer
                    .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                    .set(Options.WORKER_TASK_CORE_THREADS, workerThreads)
                    .set(Options.WORKER_TASK_MAX_THREADS, workerThreads)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CORK, true)
                    .getMap());
            OptionMap socketOptions = OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.REUSE_ADDRESSES, true)
                    .set(Options.BALANCING_TOKENS, 1)
                    .set(Options.BALANCING_CONNECTIONS, 2)
                    .set(Options.BACKLOG, 1000)
                    .getMap();
            OptionMap undertowOptions = OptionMap.builder()
                    .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                    .set(UndertowOptions.IDLE_TIMEOUT, 0) // sockets live as long as the game; clients ping
                    .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, requestTimeoutMillis)
                    .set(UndertowOptions.NO_REQUEST_TIMEOUT, requestTimeoutMillis)
                    .getMap();
            HttpOpenListener http = new HttpOpenListener(new DefaultByteBufferPool(true, BUFFER_BYTES), undertowOptions);
            http.setRootHandler(gate.markingRequests(root));
            channel = worker.createStreamConnectionServer(new InetSocketAddress(host, port),
                    ChannelListeners.openListenerAdapter(gate.accepting(http)), socketOptions);
            channel.resumeAccepts();
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
    }

    /** The port bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    @Override
    public void close() {
        IoUtils.safeClose(channel);
        channel = null;
        if (worker != null) {
            worker.shutdownNow();
            worker = null;
        }
    }
}
