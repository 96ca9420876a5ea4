package io.roomcast.gateway.browser;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One page of the browser demo in its own headless Chromium, read through the game's test hook
 * ({@code window.<hook>.snapshot()}, plain JSON) and driven only through the real UI.
 */
public final class GamePage implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(15);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final String hook;

    private GamePage(ChromeDriver driver, String hook) {
        this.driver = driver;
        this.hook = hook;
    }

    /** A page of Orb Rush (hook {@code roomcastDemo}). */
    public static GamePage orbRush() throws IOException {
        return new GamePage(Browsers.startHeadless(), "roomcastDemo");
    }

    /** A page of Four in a Row (hook {@code roomcastFour}). */
    public static GamePage fourInARow() throws IOException {
        return new GamePage(Browsers.startHeadless(), "roomcastFour");
    }

    /**
     * The client the demo runs on: {@code sdk} (@roomcast/client, bundled into web/sdk/ by a build
     * with node) or {@code fallback} (the hand-written web/roomcast-client.js).
     */
    public static String expectedClient() {
        return GamePage.class.getClassLoader().getResource("web/sdk/roomcast-client.js") != null ? "sdk" : "fallback";
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> snapshot() {
        Object result = ((JavascriptExecutor) driver).executeScript(
                "return window." + hook + " ? window." + hook + ".snapshot() : null;");
        return result == null ? Map.of() : (Map<String, Object>) result;
    }

    /** The first snapshot that meets {@code condition}, polled until {@link #WAIT}. */
    public Map<String, Object> waitFor(Predicate<Map<String, Object>> condition) {
        return new WebDriverWait(driver, WAIT).withMessage(() -> "page state: " + snapshot())
                .until(d -> {
                    Map<String, Object> s = snapshot();
                    return !s.isEmpty() && condition.test(s) ? s : null;
                });
    }

    public void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name),
                StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        driver.quit();
    }

    /** A list field of a snapshot (players, seats, chat, ...); empty when absent. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> list(Map<String, Object> snapshot, String field) {
        Object value = snapshot.get(field);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    public static long number(Object value) {
        return ((Number) value).longValue();
    }

    /** Orb Rush: the x of the player in {@code seat} as the server last said; NaN if not there. */
    public static double playerX(Map<String, Object> snapshot, long seat) {
        return list(snapshot, "players").stream()
                .filter(p -> number(p.get("seat")) == seat)
                .mapToDouble(p -> ((Number) p.get("x")).doubleValue())
                .findFirst().orElse(Double.NaN);
    }
}
