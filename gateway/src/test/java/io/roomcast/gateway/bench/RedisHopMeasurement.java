package io.roomcast.gateway.bench;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.RedisServer;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.Hello;
import io.roomcast.proto.v1.Join;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A measurement, not a test (its name keeps it out of {@code ./mvnw verify}): tick->client
 * latency of one 8-player orb-rush room for members on the owner's node, on another node, and
 * on an embedded single node, plus the Redis commands the room costs. Run it alone:
 * {@code ./mvnw -pl gateway test -Dtest=RedisHopMeasurement -Dsurefire.failIfNoSpecifiedTests=false}.
 * Figures and their reading: docs/benchmarks.md.
 */
class RedisHopMeasurement {

    static final class Probe implements WebSocket.Listener {
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<String> room = new CompletableFuture<>();
        volatile boolean recording;
        final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            buf.writeBytes(b);
            if (last) {
                long now = System.currentTimeMillis();
                try {
                    ServerFrame f = ServerFrame.parseFrom(buf.toByteArray());
                    if (f.hasJoined()) room.complete(f.getJoined().getRoomId());
                    if (f.hasState() && recording) latencies.add(now - f.getState().getServerTimeMs());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                buf.reset();
            }
            ws.request(1);
            return null;
        }
    }

    static Probe connect(int port, String room) throws Exception {
        Probe p = new Probe();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), p).get();
        ws.sendBinary(ByteBuffer.wrap(ClientFrame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setPlayerName("p")).build().toByteArray()), true).get();
        Join.Builder join = room == null ? Join.newBuilder().setGameType("orb-rush") : Join.newBuilder().setRoomId(room);
        ws.sendBinary(ByteBuffer.wrap(ClientFrame.newBuilder().setJoin(join).build().toByteArray()), true).get();
        p.room.get();
        return p;
    }

    static String pct(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        return "p50=" + s.get(s.size() / 2) + "ms p99=" + s.get((int) (s.size() * 0.99)) + "ms max=" + s.getLast() + "ms n=" + s.size();
    }

    @Test
    void embedded() throws Exception {
        Node a = TestNodes.start(c -> c.nodeId = "solo");
        List<Probe> all = new ArrayList<>();
        Probe first = connect(a.port(), null);
        all.add(first);
        for (int i = 1; i < 8; i++) {
            all.add(connect(a.port(), first.room.get()));
        }
        Thread.sleep(5000);
        all.forEach(p -> p.recording = true);
        Thread.sleep(10000);
        all.forEach(p -> p.recording = false);
        List<Long> o = new ArrayList<>();
        all.forEach(p -> o.addAll(p.latencies));
        System.out.println("MEASURE tick->client embedded single node: " + pct(o));
        a.stop();
    }

    @Test
    void measure() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Node a = TestNodes.start(c -> { c.redisUrl = redis.url(); c.nodeId = "a"; });
            Node b = TestNodes.start(c -> { c.redisUrl = redis.url(); c.nodeId = "b"; });
            List<Probe> own = new ArrayList<>(), other = new ArrayList<>();
            Probe first = connect(a.port(), null);
            String room = first.room.get();
            own.add(first);
            for (int i = 1; i < 8; i++) {
                (i % 2 == 0 ? own : other).add(connect(i % 2 == 0 ? a.port() : b.port(), room));
            }
            Thread.sleep(5000);
            redis.resetStats();
            own.forEach(p -> p.recording = true);
            other.forEach(p -> p.recording = true);
            Thread.sleep(10000);
            own.forEach(p -> p.recording = false);
            other.forEach(p -> p.recording = false);
            System.out.println("MEASURE commandstats over 10 s, 1 room: " + redis.info("commandstats"));
            List<Long> o = new ArrayList<>(), t = new ArrayList<>();
            own.forEach(p -> o.addAll(p.latencies));
            other.forEach(p -> t.addAll(p.latencies));
            System.out.println("MEASURE tick->client on the owner's node:  " + pct(o));
            System.out.println("MEASURE tick->client on the other node:    " + pct(t));
            a.stop();
            b.stop();
        }
    }
}
