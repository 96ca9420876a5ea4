package io.roomcast.gateway.cluster;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.testing.RedisCluster;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import io.roomcast.proto.games.demo.DemoInput;
import io.roomcast.proto.v1.Emit;
import io.roomcast.proto.v1.Joined;
import io.roomcast.proto.v1.ServerFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The same nodes against a real 3-master Redis Cluster (sharded pub/sub): a room spans nodes,
 * and every key and the channel of a room hash to one slot, so its traffic stays on one shard.
 */
class RedisClusterModeTest {

    private static RedisCluster redis;
    private static final List<Node> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        redis = RedisCluster.start();
        for (int i = 0; i < 2; i++) {
            int n = i;
            nodes.add(TestNodes.start(config -> {
                config.redisUrl = redis.seedUrl();
                config.redisCluster = true;
                config.nodeId = "shard-node-" + n;
            }));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        nodes.forEach(Node::stop);
        redis.close();
    }

    @Test
    void playersOnTwoNodesShareARoomThroughShardedPubSub() throws Exception {
        try (TestClient ann = TestClient.connect(nodes.get(0).port()); TestClient ben = TestClient.connect(nodes.get(1).port())) {
            ann.hello("ann");
            ben.hello("ben");
            Joined joined = ann.quickJoin("orb-rush");
            String room = joined.getRoomId();
            assertEquals(room, ben.quickJoin("orb-rush").getRoomId(), "quick-join from the other node finds it");
            ann.input(room, 1, DemoInput.newBuilder().setDx(1).build().toByteString());
            ben.await(f -> f.hasState() && f.getState().getAppliedList().stream()
                    .anyMatch(a -> a.getSeat() == joined.getSeat() && a.getSeq() == 1));
            ann.emit(Emit.newBuilder().setRoomId(room).setName("chat").setAckId(1).build());
            assertEquals("chat", ben.await(ServerFrame::hasEvent).getEvent().getName());

            Set<Integer> slots = Set.of(RedisKeys.lease(room), RedisKeys.epoch(room), RedisKeys.info(room),
                    RedisKeys.snapshot(room), RedisKeys.roomChannel(room)).stream().map(SlotHash::getSlot).collect(Collectors.toSet());
            assertEquals(1, slots.size(), "one slot for all of the room's keys and its channel");
            RedisClusterClient client = RedisClusterClient.create(RedisURI.create(redis.seedUrl()));
            try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                assertNotNull(connection.sync().get(RedisKeys.lease(room)), "the lease lives in the cluster");
                assertEquals(slots.iterator().next().longValue(), connection.sync().clusterKeyslot(RedisKeys.roomChannel(room)),
                        "Redis agrees on the slot");
            } finally {
                client.shutdown();
            }
        }
    }
}
