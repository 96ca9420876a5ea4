package io.roomcast.gateway.testing;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** GETs of a node's {@code /admin} paths on loopback, and their JSON read back (through SnakeYAML: JSON is YAML). */
public final class AdminHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AdminHttp() {}

    /** {@code GET http://127.0.0.1:<port><path>} with {@code authorization} as the header (null: none). */
    public static HttpResponse<String> get(int port, String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code /admin/api/cluster} with the bearer token (null: none), which must answer 200, as a map. */
    public static Map<String, Object> cluster(int port, String token) throws IOException, InterruptedException {
        HttpResponse<String> response = get(port, "/admin/api/cluster", token == null ? null : "Bearer " + token);
        if (response.statusCode() != 200) {
            throw new AssertionError("/admin/api/cluster answered " + response.statusCode() + ": " + response.body());
        }
        return json(response.body());
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> json(String body) {
        return new Yaml().load(body);
    }

    // ───────────── reading a cluster view ─────────────

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> list(Map<String, Object> view, String field) {
        return (List<Map<String, Object>>) view.get(field);
    }

    public static Optional<Map<String, Object>> node(Map<String, Object> view, String id) {
        return list(view, "nodes").stream().filter(n -> id.equals(n.get("id"))).findFirst();
    }

    public static Optional<Map<String, Object>> room(Map<String, Object> view, String id) {
        return list(view, "rooms").stream().filter(r -> id.equals(r.get("id"))).findFirst();
    }

    /** The players of {@code room} on {@code node} in the view; 0 when the room or the node has none. */
    @SuppressWarnings("unchecked")
    public static long players(Map<String, Object> view, String room, String node) {
        return room(view, room).map(r -> ((Map<String, Object>) r.get("players")).get(node))
                .map(n -> ((Number) n).longValue()).orElse(0L);
    }
}
