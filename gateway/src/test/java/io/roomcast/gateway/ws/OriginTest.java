package io.roomcast.gateway.ws;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.RawHttp;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which pages may open a WebSocket: the Origin rule, on its own and on the wire (403 before the upgrade). */
class OriginTest {

    @Test
    void noOriginTheSameOriginAndListedOriginsAreAllowed() {
        OriginPolicy policy = new OriginPolicy("https://game.example.com, https://*.cdn.example.net", false);
        assertTrue(policy.allows(null, "node:8080"), "no Origin: not a browser");
        assertTrue(policy.allows("http://node:8080", "node:8080"), "same origin");
        assertTrue(policy.allows("https://play.example.org", "play.example.org"), "same origin, default port");
        assertTrue(policy.allows("https://game.example.com", "node:8080"), "listed");
        assertTrue(policy.allows("https://eu.cdn.example.net", "node:8080"), "listed by wildcard");
        assertFalse(policy.allows("https://cdn.example.net", "node:8080"), "a wildcard does not cover the apex");
        assertFalse(policy.allows("http://game.example.com", "node:8080"), "the scheme counts");
        assertFalse(policy.allows("https://game.example.com:8443", "node:8080"), "the port counts");
        assertFalse(policy.allows("https://evil.example", "node:8080"));
        assertFalse(policy.allows("https://game.example.com.evil.example", "node:8080"));
        assertFalse(policy.allows("null", "node:8080"), "sandboxed pages and files");
        assertFalse(policy.allows("http://localhost:3000", "node:8080"), "localhost only on the embedded node");
    }

    @Test
    void theEmbeddedNodeAlsoAllowsLocalPagesAndStarAllowsAny() {
        OriginPolicy embedded = new OriginPolicy("", true);
        assertTrue(embedded.allows("http://localhost:3000", "127.0.0.1:8080"));
        assertTrue(embedded.allows("http://127.0.0.1:5173", "127.0.0.1:8080"));
        assertFalse(embedded.allows("https://evil.example", "127.0.0.1:8080"));
        assertTrue(new OriginPolicy("*", false).allows("https://anything.example", "node"));
    }

    @Test
    void aBadAllowedOriginStopsTheNodeAtStart() {
        assertThrows(IllegalArgumentException.class, () -> OriginPolicy.validate("game.example.com"));
        assertThrows(IllegalArgumentException.class, () -> OriginPolicy.validate("https://game.example.com/path"));
        OriginPolicy.validate("https://game.example.com, https://*.example.com:8443, *, null");
    }

    @Test
    void aForeignOriginGets403BeforeTheUpgradeAndAnAllowedOneUpgrades() throws Exception {
        Node node = TestNodes.start(config -> config.allowedOrigins = "https://game.example.com");
        try {
            try (RawHttp foreign = new RawHttp("127.0.0.1", node.port())) {
                String head = foreign.send(RawHttp.upgrade("Origin: https://evil.example\r\n")).readHead();
                assertEquals(403, RawHttp.status(head), head);
            }
            assertEquals(1, node.metrics().originsRefused.sum());
            for (String origin : new String[] {"https://game.example.com", "http://127.0.0.1:" + node.port(), "http://localhost:3000"}) {
                try (RawHttp allowed = new RawHttp("127.0.0.1", node.port())) {
                    assertEquals(101, RawHttp.status(allowed.send(RawHttp.upgrade("Origin: " + origin + "\r\n")).readHead()), origin);
                }
            }
            try (RawHttp bot = new RawHttp("127.0.0.1", node.port())) {
                assertEquals(101, RawHttp.status(bot.send(RawHttp.upgrade("")).readHead()), "no Origin");
            }
        } finally {
            node.stop();
        }
    }
}
