package io.roomcast.gateway.cluster;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisSecurity;
import io.roomcast.gateway.testing.Eventually;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node reaches a real redis-server that wants a password, by {@code requirepass} and by an ACL
 * user, and over TLS with a CA of its own (a throwaway CA and certificate made with openssl).
 */
class RedisSecurityTest {

    private static final String PASSWORD = "s3cret-redis-pass";

    @TempDir
    Path dir;
    private Process redis;
    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(Node::stop);
        if (redis != null) {
            redis.destroy();
            if (!redis.waitFor(5, TimeUnit.SECONDS)) {
                redis.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** redis-server with {@code args}, up once {@code port} accepts connections. */
    private void startRedis(int port, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-server"));
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && !rest.getFirst().startsWith("--")) {
            command.add(rest.removeFirst()); // a config file comes first
        }
        command.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        command.addAll(rest);
        redis = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        Eventually.holds(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }, "redis-server listening", Duration.ofSeconds(10));
    }

    private Node node(String url, RedisSecurity security) {
        Node node = TestNodes.start(config -> {
            config.redisUrl = url;
            config.redisUser = security.user();
            config.redisPassword = security.password();
            config.redisCaFile = security.caFile();
        });
        nodes.add(node);
        return node;
    }

    /** A player can join a room: the node's directory and ownership live in that Redis. */
    private static void aPlayerJoins(Node node) throws Exception {
        try (TestClient client = TestClient.connect(node.port())) {
            client.hello("p");
            assertFalse(client.quickJoin("orb-rush").getRoomId().isEmpty());
        }
    }

    @Test
    void aNodeWithThePasswordWorksAndOneWithoutItDoesNotStart() throws Exception {
        int port = freePort();
        startRedis(port, "--port", Integer.toString(port), "--requirepass", PASSWORD);
        String url = "redis://127.0.0.1:" + port;
        aPlayerJoins(node(url, new RedisSecurity("", PASSWORD, "")));
        RuntimeException refused = assertThrows(RuntimeException.class, () -> node(url, new RedisSecurity("", "wrong", "")));
        assertFalse(String.valueOf(refused.getMessage()).contains("wrong"), "the password is not in the error");
        assertThrows(RuntimeException.class, () -> node(url, RedisSecurity.NONE));
    }

    @Test
    void anAclUserWithItsPasswordWorks() throws Exception {
        int port = freePort();
        Path conf = Files.writeString(dir.resolve("acl.conf"), "user default off\nuser roomcast on >" + PASSWORD + " ~* &* +@all\n");
        startRedis(port, conf.toString(), "--port", Integer.toString(port));
        aPlayerJoins(node("redis://127.0.0.1:" + port, new RedisSecurity("roomcast", PASSWORD, "")));
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl " + String.join(" ", args)
                + ": " + Files.readString(dir.resolve("openssl.log")));
    }

    @Test
    void overTlsTheNodeTrustsTheGivenCaAndSendsThePassword() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=roomcast-test-ca",
                "-keyout", "ca.key", "-out", "ca.crt");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "redis.key", "-out", "redis.csr");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl("x509", "-req", "-in", "redis.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
                "-extfile", "san.ext", "-out", "redis.crt");
        int tlsPort = freePort();
        startRedis(tlsPort, "--port", "0", "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", dir.resolve("redis.crt").toString(), "--tls-key-file", dir.resolve("redis.key").toString(),
                "--tls-ca-cert-file", dir.resolve("ca.crt").toString(), "--tls-auth-clients", "no", "--requirepass", PASSWORD);
        String url = "rediss://127.0.0.1:" + tlsPort;
        aPlayerJoins(node(url, new RedisSecurity("", PASSWORD, dir.resolve("ca.crt").toString())));
        assertThrows(RuntimeException.class, () -> node(url, new RedisSecurity("", PASSWORD, "")),
                "a certificate the JDK does not trust is refused");
        assertEquals("rediss://***@h:1", RedisSecurity.redact("rediss://u:p@h:1"));
    }
}
