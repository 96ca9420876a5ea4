package io.roomcast.gateway.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Redis for a test class ({@code @RegisterExtension static final RedisForTests redis}):
 * started before its first test ({@link RedisServer#start}: a container, a {@code redis-server}
 * process or {@code REDIS_URL}), emptied before each test, stopped after the last.
 */
public final class RedisForTests implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private RedisServer redis;

    @Override
    public void beforeAll(ExtensionContext context) {
        redis = RedisServer.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        redis.command("FLUSHALL");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (redis != null) {
            redis.close();
        }
    }

    public String url() {
        return redis.url();
    }

    public Object command(String... args) {
        return redis.command(args);
    }

    /** The server itself, to kill, freeze or restart it. */
    public RedisServer server() {
        return redis;
    }
}
