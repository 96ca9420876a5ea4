package io.roomcast.gateway.ws;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node that stops tells every client to reconnect elsewhere (close 1012) even when it stops at
 * once: the close frames are queued to the I/O threads while their worker is shutting down, and
 * the close timeout that goes with each one cannot be scheduled any more on a terminating
 * thread. That refusal used to abort the I/O thread's whole batch before the frames were
 * written: the clients saw the connection drop instead of a "service restart".
 */
class NodeStopTest {

    @Test
    void everyClientOfANodeThatStopsAtOnceHearsServiceRestart() throws Exception {
        for (int round = 1; round <= 30; round++) {
            Node node = TestNodes.start();
            TestClient first = TestClient.connect(node.port());
            TestClient second = TestClient.connect(node.port());
            try {
                first.hello("ann");
                second.hello("ben");
                node.stop();
                assertEquals(1012, first.awaitClose(), "round " + round + ": ann is told 'service restart'");
                assertEquals(1012, second.awaitClose(), "round " + round + ": ben is told 'service restart'");
            } finally {
                first.close();
                second.close();
                node.stop();
            }
        }
    }
}
