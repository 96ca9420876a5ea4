package io.roomcast.bots;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client side of the WebSocket opening handshake (RFC 6455 section 4.1): the HTTP/1.1
 * upgrade request, and the checks of the server's answer (101, the upgrade, the accept key).
 *
 * <p>Threading: stateless.
 */
final class Handshake {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** A response header longer than this is not a WebSocket server's answer. */
    static final int MAX_RESPONSE_BYTES = 8192;

    /** The server did not accept the upgrade; the message is one line for the user. */
    static final class Failure extends IOException {
        Failure(String message) {
            super(message);
        }
    }

    private Handshake() {}

    /** A fresh {@code Sec-WebSocket-Key}: 16 random bytes in base64 (a nonce, not a secret). */
    static String newKey() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    static ByteBuffer request(URI uri, String key) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String host = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n";
        return ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The {@code Sec-WebSocket-Accept} a server must answer to {@code key}. */
    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** The index just past the blank line that ends the response header in {@code buf} (position to limit), or -1. */
    static int headerEnd(ByteBuffer buf) {
        for (int i = buf.position() + 3; i < buf.limit(); i++) {
            if (buf.get(i) == '\n' && buf.get(i - 1) == '\r' && buf.get(i - 2) == '\n' && buf.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Checks the response header in {@code buf} from its position to {@code end}. */
    static void check(ByteBuffer buf, int end, String key) throws Failure {
        byte[] bytes = new byte[end - buf.position()];
        buf.get(buf.position(), bytes);
        String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) {
            throw new Failure("WebSocket upgrade: not an HTTP response");
        }
        if (!status[1].equals("101")) {
            throw new Failure("WebSocket upgrade refused (HTTP " + status[1] + ")");
        }
        String upgrade = null;
        String connection = null;
        String accept = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                String value = lines[i].substring(colon + 1).strip();
                switch (lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT)) {
                    case "upgrade" -> upgrade = value;
                    case "connection" -> connection = value;
                    case "sec-websocket-accept" -> accept = value;
                    default -> { }
                }
            }
        }
        if (!"websocket".equalsIgnoreCase(upgrade) || connection == null
                || !connection.toLowerCase(Locale.ROOT).contains("upgrade")) {
            throw new Failure("WebSocket upgrade: the server did not switch to WebSocket");
        }
        if (!accept(key).equals(accept)) {
            throw new Failure("WebSocket upgrade: wrong Sec-WebSocket-Accept");
        }
    }
}
