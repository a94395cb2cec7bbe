package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver with Selenium WebDriver, for the
 * browser tests (BrowserTest, ExploreBrowserTest): one browser per test class ({@link #start},
 * {@link #quit} in the class's AfterAll). Both binaries are named explicitly (the driver service's
 * executable and the options' binary), so Selenium Manager is never asked to find or download
 * either. {@code -Drmaplab.chromium=PATH} and {@code -Drmaplab.chromedriver=PATH} name others;
 * {@code -Drmaplab.chromium=none} skips. Where either is missing the tests are skipped with the
 * reason (an aborted assumption, and a {@code rmaplab: SKIPPING the browser tests} line on
 * stderr) — also under CI, where {@code .ci/run} installs them best effort.
 */
final class HeadlessChromium {
    /** The window (and so the screenshot) of every page: 1200 x 2000 CSS pixels, scale 1. */
    static final int WIDTH = 1200;
    static final int HEIGHT = 2000;

    private static final String INSTALL = "run .ci/run as root to install Debian's chromium and chromium-driver";

    /** Why the browser tests cannot run here, or null. */
    private static String missing;
    private static String chromium;
    private static String chromedriver;
    private static boolean looked;

    /**
     * Selenium's warning that it has no DevTools classes for this Chromium's version: these tests
     * use none (only chromedriver's own CDP command endpoint), so it is silenced (kept here: a
     * java.util.logging logger without a strong reference can be collected with its level).
     */
    private static final java.util.logging.Logger CDP_VERSION_FINDER =
            java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private HeadlessChromium() {}

    /**
     * The browser, or null where chromium or chromedriver is missing (then each test's
     * {@link #assumeStarted} skips it with the reason, so that Surefire counts every test skipped).
     */
    static synchronized ChromeDriver start() {
        look();
        CDP_VERSION_FINDER.setLevel(java.util.logging.Level.SEVERE);
        if (missing != null) {
            return null;
        }
        // Both paths given: Selenium's DriverFinder has nothing to ask Selenium Manager (which
        // would look for, download and report on browsers and drivers over the network; it never
        // ran here: it unpacks itself into ~/.cache/selenium first, and that stays absent).
        System.setProperty("webdriver.chrome.driver", chromedriver);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--allow-file-access-from-files",
                "--window-size=" + WIDTH + "," + HEIGHT);
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(120)).pageLoadTimeout(Duration.ofSeconds(120));
        viewport(driver, WIDTH, HEIGHT);
        return driver;
    }

    /** Skips the test, with the reason, unless DRIVER was started. */
    static void assumeStarted(WebDriver driver) {
        Assumptions.assumeTrue(driver != null, () -> "skipped (no browser): " + missing);
    }

    /** Quits DRIVER (null: never started), ending chromium and chromedriver. */
    static void quit(WebDriver driver) {
        if (driver != null) {
            driver.quit();
        }
    }

    /** The page's viewport W x H CSS pixels at scale 1, whatever the window's frame takes (DevTools' Emulation). */
    static void viewport(ChromeDriver driver, int w, int h) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", w, "height", h, "deviceScaleFactor", 1, "mobile", false));
    }

    private static void look() {
        if (looked) {
            return;
        }
        looked = true;
        String given = System.getProperty("rmaplab.chromium"); // a path, or "none" to skip
        if ("none".equals(given)) {
            missing = "-Drmaplab.chromium=none";
        } else {
            chromium = given != null ? executable(given) : first("/usr/bin/chromium", "/usr/bin/chromium-browser",
                    "/usr/lib/chromium/chromium");
            String d = System.getProperty("rmaplab.chromedriver");
            chromedriver = d != null ? executable(d) : first("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
            if (chromium == null) {
                missing = "no chromium (" + (given != null ? given : "/usr/bin/chromium") + "): " + INSTALL;
            } else if (chromedriver == null) {
                missing = "no chromedriver (" + (d != null ? d : "/usr/bin/chromedriver") + "): " + INSTALL;
            }
        }
        if (missing != null) {
            System.err.println("rmaplab: SKIPPING the browser tests: " + missing);
        }
    }

    private static String executable(String p) {
        return Files.isExecutable(Path.of(p)) ? p : null;
    }

    private static String first(String... paths) {
        for (String p : paths) {
            if (executable(p) != null) {
                return p;
            }
        }
        String name = Path.of(paths[0]).getFileName().toString();
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        return null;
    }

    /** Opens PAGE (a file) in DRIVER and waits for its document to be complete. */
    static void open(WebDriver driver, Path page) {
        driver.get(page.toUri().toString());
        waitFor(driver, 120, d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    }

    /** Waits up to SECONDS for UNTIL to hold (not null nor false). */
    static <T> T waitFor(WebDriver driver, int seconds, Function<WebDriver, T> until) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(20)).until(until);
    }

    /** The text of the element SELECTOR names. */
    static String text(WebDriver driver, String selector) {
        return driver.findElement(By.cssSelector(selector)).getText();
    }

    /** A screenshot of the viewport (TakesScreenshot), as the PNG's bytes. */
    static byte[] screenshot(ChromeDriver driver) {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    /**
     * A screenshot of the viewport that is a PNG of the window's size (W x H) with more than 20
     * colours and non-white pixels on more than 1% of a sample of every other pixel.
     */
    static BufferedImage assertNotBlank(byte[] png, int w, int h) throws IOException {
        assertTrue(png.length > 8 && (png[0] & 0xff) == 0x89 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        long ink = 0;
        for (int y = 0; y < h; y += 2) {
            for (int x = 0; x < w; x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) {
                    ink++;
                }
            }
        }
        assertTrue(colours.size() > 20, "colours in the screenshot: " + colours.size());
        assertTrue(ink > (long) w * h / 4 / 100, "non-white pixels (of a quarter sample): " + ink);
        return img;
    }

    /** The set of colours (RGB) in IMG, every other pixel. */
    static Set<Integer> colours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                colours.add(img.getRGB(x, y) & 0xffffff);
            }
        }
        return colours;
    }
}
