package io.roomcast.gateway.browser;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Starts the system's headless Chromium through the system's chromedriver, found on PATH:
 * nothing is downloaded at run time. {@code .ci/run} installs both when missing.
 */
final class Browsers {

    private Browsers() {}

    static ChromeDriver startHeadless() throws IOException {
        Path browser = onPath(List.of("chromium", "chromium-browser", "google-chrome"))
                .orElseThrow(() -> new IllegalStateException("no chromium on PATH: run .ci/run, which installs it"));
        Path driver = onPath(List.of("chromedriver"))
                .orElseThrow(() -> new IllegalStateException("no chromedriver on PATH: run .ci/run, which installs chromium-driver"));
        Path profile = Files.createTempDirectory("roomcast-chromium-");
        ChromeOptions options = new ChromeOptions()
                .setBinary(browser.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--disable-quic", "--window-size=1200,900",
                        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                        "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        chrome.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return chrome;
    }

    private static Optional<Path> onPath(List<String> names) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
