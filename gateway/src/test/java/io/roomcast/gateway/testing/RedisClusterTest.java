package io.roomcast.gateway.testing;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The Redis Cluster fixture: three masters covering every slot, usable from Lettuce. */
class RedisClusterTest {

    @Test
    void threeMastersStateOkAndKeysSpreadOverThem() {
        long pid;
        try (RedisCluster cluster = RedisCluster.start()) {
            assertEquals(3, cluster.masterCount());
            Map<String, String> info = cluster.clusterInfo();
            assertEquals("ok", info.get("cluster_state"));
            assertEquals("16384", info.get("cluster_slots_assigned"));
            assertEquals("3", info.get("cluster_known_nodes"));

            RedisClusterClient client = RedisClusterClient.create(RedisURI.create(cluster.seedUrl()));
            try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                connection.setTimeout(Duration.ofSeconds(5));
                for (int i = 0; i < 30; i++) {
                    connection.sync().set("{room-" + i + "}:snapshot", "s" + i);
                }
                assertEquals("s7", connection.sync().get("{room-7}:snapshot"));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            assertEquals(30, cluster.commandCount("set"), "summed over the masters");
            pid = cluster.nodes().getFirst().pid();
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "close() stopped the nodes");
    }
}
