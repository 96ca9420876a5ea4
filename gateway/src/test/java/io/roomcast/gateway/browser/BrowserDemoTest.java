package io.roomcast.gateway.browser;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;

import java.util.Map;

import static io.roomcast.gateway.browser.GamePage.list;
import static io.roomcast.gateway.browser.GamePage.number;
import static io.roomcast.gateway.browser.GamePage.playerX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real headless Chromium browsers open the demo served by a real node and play together:
 * what one player does with the keyboard, the other sees.
 */
class BrowserDemoTest {

    private Node node;
    private GamePage pageA;
    private GamePage pageB;

    @BeforeEach
    void start() throws Exception {
        node = TestNodes.start();
        pageA = GamePage.orbRush();
        pageB = GamePage.orbRush();
    }

    @AfterEach
    void stop() {
        try (GamePage a = pageA; GamePage b = pageB) {
            node.stop();
        }
    }

    @Test
    void aKeyHeldInPageAMovesAsPlayerInPageBsView() throws Exception {
        String base = "http://127.0.0.1:" + node.port() + "/";
        pageA.open(base + "?name=Alice");
        Map<String, Object> a = pageA.waitFor(s -> "connected".equals(s.get("status")) && s.get("roomId") != null
                && s.get("seat") != null);
        assertEquals(GamePage.expectedClient(), a.get("client"), "the demo runs on the client the build made");
        String room = (String) a.get("roomId");
        long seatA = number(a.get("seat"));

        pageB.open(base + "?name=Bob&room=" + room);
        Map<String, Object> b = pageB.waitFor(s -> room.equals(s.get("roomId")) && list(s, "players").size() == 2);
        assertEquals(node.nodeId(), b.get("nodeId"));
        double startX = playerX(b, seatA);

        new Actions(pageA.driver()).keyDown(Keys.ARROW_RIGHT).perform();
        try {
            pageB.waitFor(s -> playerX(s, seatA) > startX + 100);
        } finally {
            new Actions(pageA.driver()).keyUp(Keys.ARROW_RIGHT).perform();
        }
        Map<String, Object> after = pageB.snapshot();
        assertTrue(number(after.get("tick")) > 0);
        assertTrue(number(after.get("statesReceived")) > 10, "page B receives states");
        pageA.waitFor(s -> s.get("rttMs") != null && ((Number) s.get("rttMs")).doubleValue() >= 0);

        pageA.screenshot("demo-page-a.png");
        pageB.screenshot("demo-page-b.png");
    }
}
