package io.roomcast.gateway.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 client for the Redis fixtures: readiness probes, INFO, CLUSTER INFO.
 * No threads, no pool, no Netty — cheap enough to open per call. Tests that exercise Roomcast
 * itself use Lettuce like the product does.
 *
 * <p>Replies: simple string and bulk string as {@code String} (a nil bulk as {@code null}),
 * integer as {@code Long}, array as {@code List<Object>}; an error reply throws {@link ErrorReply}.
 */
public final class Resp implements AutoCloseable {

    /** An error reply ({@code -ERR ...}). */
    public static final class ErrorReply extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ErrorReply(String message) {
            super(message);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public Resp(String host, int port, Duration timeout) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Opens a connection, sends one command, returns its reply, closes. */
    public static Object call(String host, int port, Duration timeout, String... command) throws IOException {
        try (Resp resp = new Resp(host, port, timeout)) {
            return resp.command(command);
        }
    }

    /** True if a Redis answers PING on host:port within the timeout (a loading Redis does not). */
    public static boolean pings(String host, int port, Duration timeout) {
        try {
            return "PONG".equals(call(host, port, timeout, "PING"));
        } catch (IOException | ErrorReply e) {
            return false;
        }
    }

    public Object command(String... args) throws IOException {
        send(args);
        return read();
    }

    /**
     * The next message a subscribed connection is pushed ({@code SUBSCRIBE} sent with
     * {@link #send}): the parts of its array as bytes, so a binary payload arrives intact.
     */
    public List<byte[]> readPush() throws IOException {
        int type = in.read();
        if (type != '*') {
            throw new IOException(type < 0 ? "Redis closed the connection" : "not a push: type byte " + type);
        }
        int count = Integer.parseInt(line());
        List<byte[]> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int partType = in.read();
            String header = line();
            if (partType == '$') {
                int length = Integer.parseInt(header);
                byte[] data = in.readNBytes(length + 2);
                parts.add(java.util.Arrays.copyOf(data, length));
            } else {
                parts.add(header.getBytes(StandardCharsets.UTF_8));
            }
        }
        return parts;
    }

    /** Sends a command without reading its reply (a SUBSCRIBE's replies come as pushes). */
    public void send(String... args) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(bytes);
            request.writeBytes(new byte[] {'\r', '\n'});
        }
        out.write(request.toByteArray());
        out.flush();
    }

    /** The reply as a String (for commands known to answer a string). */
    public String string(String... args) throws IOException {
        return (String) command(args);
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("Redis closed the connection");
        }
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new ErrorReply(line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    yield null;
                }
                byte[] data = in.readNBytes(length + 2);
                if (data.length != length + 2) {
                    throw new EOFException("Redis closed the connection inside a reply");
                }
                yield new String(data, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                yield items;
            }
            default -> throw new IOException("not a RESP reply: type byte " + type);
        };
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Redis closed the connection inside a reply");
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
