package io.roomcast.gateway.ws;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which web pages may open a WebSocket to this node, by the {@code Origin} header a browser
 * sends with the upgrade. The rule (docs/operations.md, "Security"):
 * <ul>
 *   <li>no {@code Origin} header: allowed. Only browsers send one, and the check protects a
 *       browser's user from a foreign page; a bot can send any header it likes, so the
 *       connection limits and authentication, not this, stop it;</li>
 *   <li>the same origin (the {@code Origin}'s host and port are the request's {@code Host}):
 *       allowed, the page came from this node (or the load balancer in front of it);</li>
 *   <li>an origin in {@code --allowed-origins}: allowed. An entry is an origin
 *       ({@code https://game.example.com}, scheme and port must match), a wildcard on the
 *       leftmost label ({@code https://*.example.com}: any subdomain, not the apex), or
 *       {@code *} (any origin);</li>
 *   <li>on the embedded node (no Redis: a developer's demo), pages on {@code localhost},
 *       {@code 127.0.0.1} or {@code [::1]}, any port: allowed;</li>
 *   <li>anything else, {@code null} included (sandboxed frames, files): 403.</li>
 * </ul>
 * Immutable, thread-safe.
 */
final class OriginPolicy {

    private final List<String> allowed;
    private final boolean localhost;

    OriginPolicy(String allowedOrigins, boolean allowLocalhost) {
        this.allowed = allowedOrigins == null ? List.of() : java.util.Arrays.stream(allowedOrigins.split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).map(s -> s.toLowerCase(Locale.ROOT))
                .map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s).toList();
        this.localhost = allowLocalhost;
    }

    /** Checks the entries of {@code --allowed-origins}; a bad one is an {@link IllegalArgumentException}. */
    static void validate(String allowedOrigins) {
        for (String entry : new OriginPolicy(allowedOrigins, false).allowed) {
            if (!entry.equals("*") && !entry.equals("null") && !entry.matches("https?://(\\*\\.)?[a-z0-9.\\[\\]:-]+")) {
                throw new IllegalArgumentException("not an origin (scheme://host[:port]): " + entry);
            }
        }
    }

    boolean allows(String origin, String host) {
        if (origin == null) {
            return true;
        }
        String o = origin.strip().toLowerCase(Locale.ROOT);
        if (allowed.contains("*") || allowed.contains(o)) {
            return true;
        }
        if (o.equals("null")) {
            return false;
        }
        URI uri;
        try {
            uri = new URI(o);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        String scheme = uri.getScheme();
        String originHost = uri.getHost();
        if (scheme == null || originHost == null || !(scheme.equals("http") || scheme.equals("https"))) {
            return false;
        }
        if (host != null && authority(originHost, uri.getPort(), scheme).equals(requestAuthority(host, scheme))) {
            return true;
        }
        if (localhost && (originHost.equals("localhost") || originHost.equals("127.0.0.1") || originHost.equals("[::1]"))) {
            return true;
        }
        for (String entry : allowed) {
            int star = entry.indexOf("://*.");
            if (star > 0 && entry.substring(0, star).equals(scheme)) {
                String suffix = entry.substring(star + 4); // ".example.com[:port]"
                String hostPort = originHost + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
                if (hostPort.endsWith(suffix) && hostPort.length() > suffix.length()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String authority(String host, int port, String scheme) {
        int effective = port >= 0 ? port : scheme.equals("https") ? 443 : 80;
        return host + ":" + effective;
    }

    /** The Host header as host:port; its port defaults to the origin scheme's. */
    private static String requestAuthority(String host, String scheme) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > 0 && colon > h.lastIndexOf(']')) {
            return h;
        }
        return h + ":" + (scheme.equals("https") ? 443 : 80);
    }
}
