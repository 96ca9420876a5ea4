package io.roomcast.gateway.browser;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real headless Chromium browsers open the demo served by a real node and play together:
 * what one player does with the keyboard, the other sees.
 */
class BrowserDemoTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private Node node;
    private ChromeDriver pageA;
    private ChromeDriver pageB;

    @BeforeEach
    void start() throws Exception {
        node = TestNodes.start();
        pageA = Browsers.startHeadless();
        pageB = Browsers.startHeadless();
    }

    @AfterEach
    void stop() {
        try {
            if (pageA != null) {
                pageA.quit();
            }
        } finally {
            try {
                if (pageB != null) {
                    pageB.quit();
                }
            } finally {
                node.stop();
            }
        }
    }

    @Test
    void aKeyHeldInPageAMovesAsPlayerInPageBsView() throws Exception {
        String base = "http://127.0.0.1:" + node.port() + "/";
        pageA.get(base + "?name=Alice");
        Map<String, Object> a = waitFor(pageA, s -> "connected".equals(s.get("status")) && s.get("roomId") != null
                && s.get("seat") != null);
        String room = (String) a.get("roomId");
        long seatA = ((Number) a.get("seat")).longValue();

        pageB.get(base + "?name=Bob&room=" + room);
        Map<String, Object> b = waitFor(pageB, s -> room.equals(s.get("roomId")) && players(s).size() == 2);
        assertEquals(node.nodeId(), b.get("nodeId"));
        double startX = xOf(b, seatA);

        new Actions(pageA).keyDown(Keys.ARROW_RIGHT).perform();
        try {
            waitFor(pageB, s -> xOf(s, seatA) > startX + 100);
        } finally {
            new Actions(pageA).keyUp(Keys.ARROW_RIGHT).perform();
        }
        Map<String, Object> after = snapshot(pageB);
        assertTrue(((Number) after.get("tick")).longValue() > 0);
        assertTrue(((Number) after.get("statesReceived")).longValue() > 10, "page B receives states");
        waitFor(pageA, s -> s.get("rttMs") != null && ((Number) s.get("rttMs")).doubleValue() >= 0);

        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        Files.copy(((TakesScreenshot) pageA).getScreenshotAs(OutputType.FILE).toPath(), shots.resolve("demo-page-a.png"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(((TakesScreenshot) pageB).getScreenshotAs(OutputType.FILE).toPath(), shots.resolve("demo-page-b.png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> snapshot(ChromeDriver page) {
        Object result = ((JavascriptExecutor) page).executeScript(
                "return window.roomcastDemo ? window.roomcastDemo.snapshot() : null;");
        return result == null ? Map.of() : (Map<String, Object>) result;
    }

    private static Map<String, Object> waitFor(ChromeDriver page, java.util.function.Predicate<Map<String, Object>> condition) {
        return new WebDriverWait(page, WAIT).withMessage(() -> "page state: " + snapshot(page))
                .until(driver -> {
                    Map<String, Object> s = snapshot(page);
                    return condition.test(s) ? s : null;
                });
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> players(Map<String, Object> snapshot) {
        Object players = snapshot.get("players");
        return players == null ? List.of() : (List<Map<String, Object>>) players;
    }

    private static double xOf(Map<String, Object> snapshot, long seat) {
        return players(snapshot).stream()
                .filter(p -> ((Number) p.get("seat")).longValue() == seat)
                .mapToDouble(p -> ((Number) p.get("x")).doubleValue())
                .findFirst().orElse(Double.NaN);
    }
}
