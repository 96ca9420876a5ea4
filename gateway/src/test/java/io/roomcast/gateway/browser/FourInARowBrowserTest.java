package io.roomcast.gateway.browser;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real headless Chromium browsers open the Four in a Row view of the demo page served by a
 * real node and play a whole round through the UI: the Ready button and clicks on the board's
 * columns. The page's test hook ({@code window.roomcastFour.snapshot()}) is only read.
 */
class FourInARowBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int COLUMNS = 7;
    private static final Path SHOTS = Path.of("target", "screenshots");

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
    void twoBrowsersPlayARoundByClickingTheBoard() throws Exception {
        String base = "http://127.0.0.1:" + node.port() + "/?game=four-in-a-row";

        // Ann quick-joins; Ben joins her room by id.
        pageA.get(base + "&name=Ann");
        Map<String, Object> a = waitFor(pageA, s -> "connected".equals(s.get("status")) && s.get("roomId") != null
                && "LOBBY".equals(s.get("phase")) && seats(s).size() == 1);
        String room = (String) a.get("roomId");
        assertEquals(node.nodeId(), a.get("nodeId"));
        assertEquals("Four in a Row", pageA.findElement(By.id("game-title")).getText());
        assertEquals(true, ((JavascriptExecutor) pageA).executeScript("return window.roomcastDemo === undefined;"),
                "only the chosen game is loaded");

        pageB.get(base + "&name=Ben&room=" + room);
        Map<String, Object> b = waitFor(pageB, s -> room.equals(s.get("roomId")) && seats(s).size() == 2);
        waitFor(pageA, s -> seats(s).size() == 2);
        assertEquals(List.of("Ann", "Ben"), seats(b).stream().map(seat -> seat.get("name")).toList());

        // A chat line typed on one page shows on the other, under the sender's name.
        pageA.findElement(By.id("chat-input")).sendKeys("good luck!", Keys.ENTER);
        waitFor(pageB, s -> chat(s).contains(Map.of("from", "Ann", "text", "good luck!")));

        // Both press Ready (the button reads "Unready" once the room shows them ready).
        clickReady(pageA);
        waitFor(pageA, s -> mySeat(s).get("ready").equals(true));
        assertEquals("Unready", pageA.findElement(By.id("ready-button")).getText());
        clickReady(pageB);
        waitFor(pageA, s -> "PLAYING".equals(s.get("phase")) && number(s.get("round")) == 1);
        waitFor(pageB, s -> "PLAYING".equals(s.get("phase")) && number(s.get("round")) == 1);

        ChromeDriver[] bySeat = new ChromeDriver[2];
        bySeat[(int) number(a.get("seat"))] = pageA;
        bySeat[(int) number(b.get("seat"))] = pageB;
        waitFor(bySeat[0], s -> Long.valueOf(0).equals(turnSeat(s)) && s.get("events") instanceof List<?> events
                && events.contains("round-start") && events.contains("your-turn"));

        // Seat 1 clicks out of turn: the room refuses, the page says why, the board is unchanged.
        column(bySeat[1], 3).click();
        Map<String, Object> refused = waitFor(bySeat[1], s -> "not your turn".equals(s.get("lastRejection")));
        assertEquals(0, discs(refused));
        WebElement rejection = bySeat[1].findElement(By.id("rejection"));
        assertTrue(rejection.isDisplayed() && rejection.getText().contains("not your turn"), rejection.getText());
        screenshot(bySeat[1], "four-in-a-row-rejected.png");

        // Seat 0 plays column 0 four times, seat 1 column 1 three times, alternating by turnSeat.
        int[][] moves = {{0, 0}, {1, 1}, {0, 0}, {1, 1}, {0, 0}, {1, 1}, {0, 0}};
        for (int i = 0; i < moves.length; i++) {
            int seat = moves[i][0];
            int discsBefore = i;
            waitFor(bySeat[seat], s -> "PLAYING".equals(s.get("phase")) && Long.valueOf(seat).equals(turnSeat(s))
                    && discs(s) == discsBefore);
            column(bySeat[seat], moves[i][1]).click();
            if (i == 3) {
                waitFor(bySeat[0], s -> discs(s) == 4);
                screenshot(bySeat[0], "four-in-a-row-playing.png");
            }
        }
        waitFor(bySeat[1], s -> s.get("lastRejection") == null); // an accepted move clears the rejection
        assertTrue(!bySeat[1].findElement(By.id("rejection")).isDisplayed());

        // Both pages show the same finished round: seat 0 won with column 0, rows 0-3.
        for (ChromeDriver page : bySeat) {
            Map<String, Object> s = waitFor(page, t -> "ROUND_OVER".equals(t.get("phase")));
            assertEquals(0L, number(s.get("lastWinnerSeat")));
            assertNull(s.get("turnSeat"));
            assertEquals(1L, number(s.get("round")));
            assertEquals(1L, number(seat(s, 0).get("wins")), "the winner's wins");
            assertEquals(0L, number(seat(s, 1).get("wins")));
            List<?> cells = (List<?>) s.get("cells");
            for (int row = 0; row < 4; row++) {
                assertEquals(1L, number(cells.get(row * COLUMNS)), "seat 0's disc at column 0, row " + row);
            }
            for (int row = 0; row < 3; row++) {
                assertEquals(2L, number(cells.get(row * COLUMNS + 1)), "seat 1's disc at column 1, row " + row);
            }
            assertEquals(7, discs(s));
            assertTrue(((List<?>) s.get("events")).contains("round-over"), "round-over received: " + s.get("events"));
            assertTrue(page.findElement(By.id("four-message")).getText().contains("round 1"),
                    page.findElement(By.id("four-message")).getText());
            assertTrue(page.findElement(By.id("ready-button")).isEnabled(), "ready for another round");
            assertEquals(4, page.findElements(By.cssSelector("#board .cell.win")).size(), "the winning line is shown");
        }
        assertTrue(bySeat[0].findElement(By.id("four-message")).getText().startsWith("You win round 1"));
        String winner = (String) seat(snapshot(bySeat[1]), 0).get("name");
        assertTrue(bySeat[1].findElement(By.id("four-message")).getText().startsWith(winner + " wins round 1"));

        screenshot(bySeat[0], "four-in-a-row-winner.png");
        screenshot(bySeat[1], "four-in-a-row-loser.png");
    }

    private static void clickReady(ChromeDriver page) {
        new WebDriverWait(page, WAIT).until(ExpectedConditions.elementToBeClickable(By.id("ready-button"))).click();
    }

    private static WebElement column(ChromeDriver page, int column) {
        return page.findElement(By.cssSelector("#board [data-column=\"" + column + "\"]"));
    }

    private static void screenshot(ChromeDriver page, String name) throws Exception {
        Files.createDirectories(SHOTS);
        Files.copy(((TakesScreenshot) page).getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name),
                StandardCopyOption.REPLACE_EXISTING);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> snapshot(ChromeDriver page) {
        Object result = ((JavascriptExecutor) page).executeScript(
                "return window.roomcastFour ? window.roomcastFour.snapshot() : null;");
        return result == null ? Map.of() : (Map<String, Object>) result;
    }

    private static Map<String, Object> waitFor(ChromeDriver page, Predicate<Map<String, Object>> condition) {
        return new WebDriverWait(page, WAIT).withMessage(() -> "page state: " + snapshot(page))
                .until(driver -> {
                    Map<String, Object> s = snapshot(page);
                    return !s.isEmpty() && condition.test(s) ? s : null;
                });
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> seats(Map<String, Object> snapshot) {
        Object seats = snapshot.get("seats");
        return seats == null ? List.of() : (List<Map<String, Object>>) seats;
    }

    private static Map<String, Object> seat(Map<String, Object> snapshot, long seat) {
        return seats(snapshot).stream().filter(s -> number(s.get("seat")) == seat).findFirst()
                .orElseThrow(() -> new AssertionError("no seat " + seat + " in " + snapshot));
    }

    private static Map<String, Object> mySeat(Map<String, Object> snapshot) {
        return seat(snapshot, number(snapshot.get("seat")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> chat(Map<String, Object> snapshot) {
        Object chat = snapshot.get("chat");
        return chat == null ? List.of() : (List<Map<String, Object>>) chat;
    }

    private static Long turnSeat(Map<String, Object> snapshot) {
        Object turn = snapshot.get("turnSeat");
        return turn == null ? null : number(turn);
    }

    private static long discs(Map<String, Object> snapshot) {
        return ((List<?>) snapshot.get("cells")).stream().filter(c -> number(c) != 0).count();
    }

    private static long number(Object value) {
        return ((Number) value).longValue();
    }
}
