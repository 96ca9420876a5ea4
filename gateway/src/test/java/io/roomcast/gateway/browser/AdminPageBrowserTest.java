package io.roomcast.gateway.browser;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.cluster.redis.RedisKeys;
import io.roomcast.gateway.testing.RedisForTests;
import io.roomcast.gateway.testing.TestClient;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static io.roomcast.gateway.testing.DemoStates.epochOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real headless Chromium opens {@code /admin} on one node of a two-node cluster (a real Redis,
 * in-process nodes on loopback) with a room spanning both nodes: the page shows both nodes and the
 * room's players on each, and a player joining later shows up without a reload.
 */
class AdminPageBrowserTest {

    private static final String TOKEN = "browser-admin-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @RegisterExtension
    static final RedisForTests redis = new RedisForTests();
    private final List<Node> nodes = new ArrayList<>();
    private ChromeDriver chrome;



    @BeforeEach
    void start() throws Exception {
        for (String id : List.of("admin-a", "admin-b")) {
            nodes.add(TestNodes.start(config -> {
                config.redisUrl = redis.url();
                config.nodeId = id;
                config.adminToken = TOKEN;
            }));
        }
        chrome = Browsers.startHeadless();
    }

    @AfterEach
    void stop() {
        try {
            if (chrome != null) {
                chrome.quit();
            }
        } finally {
            nodes.forEach(Node::stop);
            nodes.clear();
        }
    }

    @Test
    void thePageShowsBothNodesAndEachOnesPlayersAndFollowsAJoinLive() throws Exception {
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        try (TestClient ann = TestClient.connect(a.port()); TestClient ben = TestClient.connect(b.port());
             TestClient cal = TestClient.connect(b.port())) {
            ann.hello("ann");
            ben.hello("ben");
            cal.hello("cal");
            String room = ann.quickJoin("orb-rush").getRoomId();
            ben.join(room);

            chrome.get("http://127.0.0.1:" + a.port() + "/admin#token=" + TOKEN);
            waitUntil("both nodes listed, alive, and the room with ann on admin-a and ben on admin-b", () ->
                    text(By.cssSelector("#nodes tr[data-node='admin-a']")).startsWith("admin-a (this node)")
                    && text(By.cssSelector("#nodes tr[data-node='admin-a']")).contains("alive, ready")
                    && text(By.cssSelector("#nodes tr[data-node='admin-b']")).contains("alive, ready")
                    && "1".equals(players(room, "admin-a"))
                    && "1".equals(players(room, "admin-b")));
            assertFalse(chrome.getCurrentUrl().contains(TOKEN), "the token leaves the address bar: " + chrome.getCurrentUrl());

            String lease = (String) redis.command("GET", RedisKeys.lease(room));
            WebElement row = chrome.findElement(By.cssSelector("#rooms tr[data-room='" + room + "']"));
            assertEquals("admin-a", row.findElement(By.cssSelector("td.owner")).getText(), "the owner, as Redis's lease " + lease);
            assertEquals(Long.toString(epochOf(lease)), row.findElement(By.cssSelector("td.epoch")).getText());
            assertTrue(row.getText().contains("orb-rush"), row.getText());
            screenshot("admin-page.png");

            // Live: a marker set in the page now survives only if the page is never reloaded.
            ((JavascriptExecutor) chrome).executeScript("window.notReloaded = true;");
            long rendersBefore = renders();
            cal.join(room);
            waitUntil("cal, who joined on admin-b, counted there without a reload", () ->
                    "2".equals(players(room, "admin-b")) && "1".equals(players(room, "admin-a")));
            assertEquals(Boolean.TRUE, ((JavascriptExecutor) chrome).executeScript("return window.notReloaded === true;"),
                    "the same page, updated by its polling");
            assertTrue(renders() > rendersBefore, "the page drew again");
            assertTrue(text(By.cssSelector("#rooms tr[data-room='" + room + "']")).contains("3 / "), "3 seats taken");
            screenshot("admin-page-after-join.png");
        }
    }

    private String players(String room, String node) {
        return text(By.cssSelector("#rooms td.players[data-room='" + room + "'][data-node='" + node + "']"));
    }

    /** The element's text, "" while it is not there (the page redraws its tables every second). */
    private String text(By selector) {
        try {
            List<WebElement> found = chrome.findElements(selector);
            return found.isEmpty() ? "" : Objects.requireNonNullElse(found.getFirst().getText(), "");
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return "";
        }
    }

    private long renders() {
        Object n = ((JavascriptExecutor) chrome).executeScript("return window.roomcastAdmin.snapshot().renders;");
        return ((Number) n).longValue();
    }

    private void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(chrome, WAIT)
                .withMessage(() -> what + "; the page shows: " + text(By.tagName("body")))
                .until(d -> condition.getAsBoolean());
    }

    private void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.copy(chrome.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
