package io.roomcast.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP client that speaks HTTP by hand, from a chosen loopback address (127.0.0.x: every one of
 * them reaches a node listening on 127.0.0.1 and is a distinct client address to it).
 */
public final class RawHttp implements AutoCloseable {

    public static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    private final Socket socket = new Socket();
    private final InputStream in;

    public RawHttp(String from, int port) throws IOException {
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
    }

    /** Sends {@code request} on a new connection and returns what the node's first read gave back. */
    public static String exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            byte[] buffer = new byte[4096];
            int n = socket.getInputStream().read(buffer);
            return new String(buffer, 0, Math.max(0, n), StandardCharsets.US_ASCII);
        }
    }

    /** The node's open WebSocket connections, as {@code /healthz} counts them. */
    public static int openWebSockets(int port) throws IOException {
        String health = exchange(port, "GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n");
        Matcher connections = Pattern.compile("\"connections\":\\s*(\\d+)").matcher(health);
        if (!connections.find()) {
            throw new AssertionError("no connection count in " + health);
        }
        return Integer.parseInt(connections.group(1));
    }

    /** A WebSocket upgrade request for /ws, with extra header lines (each ending in CRLF). */
    public static String upgrade(String extraHeaders) {
        return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    public RawHttp send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return this;
    }

    /** The response head (status line and headers), or "" if the node closed without one. */
    public String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b;
            try {
                b = in.read();
            } catch (SocketException reset) {
                b = -1;
            }
            if (b < 0) {
                return head.toString(StandardCharsets.US_ASCII);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Reads (and drops) a body of {@code length} bytes. */
    public void skip(int length) throws IOException {
        in.readNBytes(length);
    }

    /** The status code of a response head, 0 if there was none. */
    public static int status(String head) {
        return head.startsWith("HTTP/1.1 ") ? Integer.parseInt(head.substring(9, 12)) : 0;
    }

    /** True once the node has closed its side (EOF or reset), waiting at most {@code millis}. */
    public boolean closedByNode(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
