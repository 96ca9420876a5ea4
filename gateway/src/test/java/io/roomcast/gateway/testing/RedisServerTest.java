package io.roomcast.gateway.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis fixture gives a working Redis, counts commands, and cleans up after itself. */
class RedisServerTest {

    @Test
    void givesARedisThatLettuceReachesAndCountsItsCommands() {
        try (RedisServer redis = RedisServer.start()) {
            RedisClient client = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                connection.setTimeout(Duration.ofSeconds(5));
                assertEquals("PONG", connection.sync().ping());
                for (int i = 0; i < 3; i++) {
                    connection.sync().publish("room:{r1}:state", "tick " + i);
                }
                connection.sync().set("k", "v");
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            assertEquals(3, redis.commandCount("publish"));
            assertEquals(3, redis.commandCount("PUBLISH"), "any case");
            assertEquals(1, redis.commandCount("set"));
            assertEquals(0, redis.commandCount("spublish"), "a command never called counts 0");
            redis.resetStats();
            assertEquals(0, redis.commandCount("publish"));
        }
    }

    @Test
    void killsAndRestartsItsRedis() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            assertTrue(redis.isRunning());
            redis.kill();
            Eventually.holds(() -> !redis.isRunning(), "Redis is dead after kill()");
            assertFalse(Resp.pings(redis.host(), redis.port(), Duration.ofMillis(300)));
            if (redis.kind() == RedisServer.Kind.PROCESS) {
                redis.restart();
                assertTrue(Resp.pings(redis.host(), redis.port(), Duration.ofSeconds(1)), "the same port answers again");
            }
        }
    }

    @Test
    void closeStopsIt() {
        RedisServer redis = RedisServer.start();
        Long pid = redis.kind() == RedisServer.Kind.PROCESS ? redis.pid() : null;
        redis.close();
        if (pid != null) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " is gone");
        }
        if (redis.kind() != RedisServer.Kind.EXTERNAL) {
            assertFalse(Resp.pings(redis.host(), redis.port(), Duration.ofMillis(300)), "nothing answers on its port");
        }
    }
}
