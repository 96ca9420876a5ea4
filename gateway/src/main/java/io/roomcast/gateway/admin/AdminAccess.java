package io.roomcast.gateway.admin;

import io.roomcast.gateway.config.NodeConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Who may read the admin page's data ({@code /admin/api/*}): with {@code --admin-token} set, only
 * a request carrying it ({@code Authorization: Bearer <token>}); without one, nobody in a cluster
 * (the page is off), and on the embedded node anybody when it listens on a loopback address only
 * (then only this machine reaches it), else nobody. Thread-safe.
 */
public final class AdminAccess {

    public enum Mode {
        /** No admin page: every {@code /admin} path answers 404. */
        OFF,
        /** The embedded node on loopback, no token set: no token asked. */
        OPEN,
        /** The token is required for the data; a missing or wrong one gets 401. */
        TOKEN
    }

    private static final String BEARER = "bearer ";

    private final Mode mode;
    private final byte[] tokenDigest; // null unless TOKEN

    private AdminAccess(Mode mode, byte[] tokenDigest) {
        this.mode = mode;
        this.tokenDigest = tokenDigest;
    }

    public static AdminAccess of(NodeConfig config) {
        String token = config.adminToken == null ? "" : config.adminToken.strip();
        if (!token.isEmpty()) {
            return new AdminAccess(Mode.TOKEN, digest(token));
        }
        return new AdminAccess(config.embedded() && isLoopback(config.host) ? Mode.OPEN : Mode.OFF, null);
    }

    public Mode mode() {
        return mode;
    }

    /** Whether a request with this {@code Authorization} header (null: none) may read the data. */
    public boolean allows(String authorization) {
        return switch (mode) {
            case OFF -> false;
            case OPEN -> true;
            case TOKEN -> authorization != null
                    && authorization.length() > BEARER.length()
                    && authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)
                    // Digests of equal length compared in constant time: the answer's timing tells nothing of the token.
                    && MessageDigest.isEqual(digest(authorization.substring(BEARER.length()).strip()), tokenDigest);
        };
    }

    /** A host to listen on that only this machine reaches: a loopback address, or a name of one. */
    static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false; // Java reads "" as localhost, a listener may not: take no chance
        }
        try {
            return InetAddress.getByName(host.strip()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
