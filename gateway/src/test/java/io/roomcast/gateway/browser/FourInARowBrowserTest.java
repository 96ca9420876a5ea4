package io.roomcast.gateway.browser;

import io.roomcast.gateway.Node;
import io.roomcast.gateway.testing.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.util.List;
import java.util.Map;

import static io.roomcast.gateway.browser.GamePage.WAIT;
import static io.roomcast.gateway.browser.GamePage.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real headless Chromium browsers open the Four in a Row view of the demo page served by a
 * real node and play a whole round through the UI: the Ready button and clicks on the board's
 * columns. The page's test hook ({@code window.roomcastFour.snapshot()}) is only read.
 */
class FourInARowBrowserTest {

    private static final int COLUMNS = 7;

    private Node node;
    private GamePage pageA;
    private GamePage pageB;

    @BeforeEach
    void start() throws Exception {
        node = TestNodes.start();
        pageA = GamePage.fourInARow();
        pageB = GamePage.fourInARow();
    }

    @AfterEach
    void stop() {
        try (GamePage a = pageA; GamePage b = pageB) {
            node.stop();
        }
    }

    @Test
    void twoBrowsersPlayARoundByClickingTheBoard() throws Exception {
        String base = "http://127.0.0.1:" + node.port() + "/?game=four-in-a-row";

        // Ann quick-joins; Ben joins her room by id.
        pageA.open(base + "&name=Ann");
        Map<String, Object> a = pageA.waitFor(s -> "connected".equals(s.get("status")) && s.get("roomId") != null
                && "LOBBY".equals(s.get("phase")) && seats(s).size() == 1);
        String room = (String) a.get("roomId");
        assertEquals(node.nodeId(), a.get("nodeId"));
        assertEquals(GamePage.expectedClient(), a.get("client"), "the demo runs on the client the build made");
        assertEquals("Four in a Row", pageA.driver().findElement(By.id("game-title")).getText());
        assertEquals(true, ((JavascriptExecutor) pageA.driver()).executeScript("return window.roomcastDemo === undefined;"),
                "only the chosen game is loaded");

        pageB.open(base + "&name=Ben&room=" + room);
        Map<String, Object> b = pageB.waitFor(s -> room.equals(s.get("roomId")) && seats(s).size() == 2);
        pageA.waitFor(s -> seats(s).size() == 2);
        assertEquals(List.of("Ann", "Ben"), seats(b).stream().map(seat -> seat.get("name")).toList());

        // A chat line typed on one page shows on the other, under the sender's name.
        pageA.driver().findElement(By.id("chat-input")).sendKeys("good luck!", Keys.ENTER);
        pageB.waitFor(s -> chat(s).contains(Map.of("from", "Ann", "text", "good luck!")));

        // Both press Ready (the button reads "Unready" once the room shows them ready).
        clickReady(pageA);
        pageA.waitFor(s -> mySeat(s).get("ready").equals(true));
        assertEquals("Unready", pageA.driver().findElement(By.id("ready-button")).getText());
        clickReady(pageB);
        pageA.waitFor(s -> "PLAYING".equals(s.get("phase")) && number(s.get("round")) == 1);
        pageB.waitFor(s -> "PLAYING".equals(s.get("phase")) && number(s.get("round")) == 1);

        GamePage[] bySeat = new GamePage[2];
        bySeat[(int) number(a.get("seat"))] = pageA;
        bySeat[(int) number(b.get("seat"))] = pageB;
        bySeat[0].waitFor(s -> Long.valueOf(0).equals(turnSeat(s)) && s.get("events") instanceof List<?> events
                && events.contains("round-start") && events.contains("your-turn"));

        // Seat 1 clicks out of turn: the room refuses, the page says why, the board is unchanged.
        column(bySeat[1], 3).click();
        Map<String, Object> refused = bySeat[1].waitFor(s -> "not your turn".equals(s.get("lastRejection")));
        assertEquals(0, discs(refused));
        WebElement rejection = bySeat[1].driver().findElement(By.id("rejection"));
        assertTrue(rejection.isDisplayed() && rejection.getText().contains("not your turn"), rejection.getText());
        bySeat[1].screenshot("four-in-a-row-rejected.png");

        // Seat 0 plays column 0 four times, seat 1 column 1 three times, alternating by turnSeat.
        int[][] moves = {{0, 0}, {1, 1}, {0, 0}, {1, 1}, {0, 0}, {1, 1}, {0, 0}};
        for (int i = 0; i < moves.length; i++) {
            int seat = moves[i][0];
            int discsBefore = i;
            bySeat[seat].waitFor(s -> "PLAYING".equals(s.get("phase")) && Long.valueOf(seat).equals(turnSeat(s))
                    && discs(s) == discsBefore);
            column(bySeat[seat], moves[i][1]).click();
            if (i == 3) {
                bySeat[0].waitFor(s -> discs(s) == 4);
                bySeat[0].screenshot("four-in-a-row-playing.png");
            }
        }
        bySeat[1].waitFor(s -> s.get("lastRejection") == null); // an accepted move clears the rejection
        assertTrue(!bySeat[1].driver().findElement(By.id("rejection")).isDisplayed());

        // Both pages show the same finished round: seat 0 won with column 0, rows 0-3.
        for (GamePage page : bySeat) {
            Map<String, Object> s = page.waitFor(t -> "ROUND_OVER".equals(t.get("phase")));
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
            assertTrue(page.driver().findElement(By.id("four-message")).getText().contains("round 1"),
                    page.driver().findElement(By.id("four-message")).getText());
            assertTrue(page.driver().findElement(By.id("ready-button")).isEnabled(), "ready for another round");
            assertEquals(4, page.driver().findElements(By.cssSelector("#board .cell.win")).size(), "the winning line is shown");
        }
        assertTrue(bySeat[0].driver().findElement(By.id("four-message")).getText().startsWith("You win round 1"));
        String winner = (String) seat(bySeat[1].snapshot(), 0).get("name");
        assertTrue(bySeat[1].driver().findElement(By.id("four-message")).getText().startsWith(winner + " wins round 1"));

        bySeat[0].screenshot("four-in-a-row-winner.png");
        bySeat[1].screenshot("four-in-a-row-loser.png");
    }

    private static void clickReady(GamePage page) {
        new WebDriverWait(page.driver(), WAIT).until(ExpectedConditions.elementToBeClickable(By.id("ready-button"))).click();
    }

    private static WebElement column(GamePage page, int column) {
        return page.driver().findElement(By.cssSelector("#board [data-column=\"" + column + "\"]"));
    }

    private static List<Map<String, Object>> seats(Map<String, Object> snapshot) {
        return GamePage.list(snapshot, "seats");
    }

    private static Map<String, Object> seat(Map<String, Object> snapshot, long seat) {
        return seats(snapshot).stream().filter(s -> number(s.get("seat")) == seat).findFirst()
                .orElseThrow(() -> new AssertionError("no seat " + seat + " in " + snapshot));
    }

    private static Map<String, Object> mySeat(Map<String, Object> snapshot) {
        return seat(snapshot, number(snapshot.get("seat")));
    }

    private static List<Map<String, Object>> chat(Map<String, Object> snapshot) {
        return GamePage.list(snapshot, "chat");
    }

    private static Long turnSeat(Map<String, Object> snapshot) {
        Object turn = snapshot.get("turnSeat");
        return turn == null ? null : number(turn);
    }

    private static long discs(Map<String, Object> snapshot) {
        return ((List<?>) snapshot.get("cells")).stream().filter(c -> number(c) != 0).count();
    }

}
