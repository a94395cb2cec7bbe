package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.WheelInput;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.explore.Recorder;
import org.rmaplab.explore.ScaleScenario;
import org.rmaplab.scenario.ScenarioParser;

/**
 * The explorer's static site in headless Chromium, driven with Selenium WebDriver like a user
 * ({@link HeadlessChromium}: one browser for the class; skipped with the reason where chromium or
 * chromedriver is not installed): open examples/fork-cow.vms's site from file://, step to the COW
 * line with the arrow key and the ▶ button, select t1's page at A+4p by clicking its frame row, and check, reading
 * the panels' elements, that each design's panel lists exactly the vmas that design's walk visits
 * as the Java side recorded it (the walk_vmas_visited the walk counted); the screenshot is not blank.
 */
class ExploreBrowserTest {
    /** t1's page at A+4p (0x7ffff7fef000 + 4 pages): the page the COW leaves to t1. */
    static final String PAGE = "1@7ffff7ff3000";
    /** The COW: "t2 write A+4p 1p 0xB2", line 7, the fourth line run (step index 3). */
    static final int COW_STEP = 3;

    static ChromeDriver driver;

    @TempDir
    Path dir;

    /** Runs rmaplab commands in this JVM (its out and err hold the last one's output). */
    final CompareCommandTest cli = new CompareCommandTest();

    @BeforeAll
    static void startChromium() {
        driver = HeadlessChromium.start();
    }

    @BeforeEach
    void needChromium() {
        HeadlessChromium.assumeStarted(driver);
    }

    @AfterAll
    static void quitChromium() {
        HeadlessChromium.quit(driver);
        driver = null;
    }

    /** Opens the SITE's index.html and waits for its first step to be drawn. */
    static void open(Path site) {
        HeadlessChromium.open(driver, site.resolve("index.html"));
        waitForStep(1);
    }

    /** Waits until the position shows step N (1-based); returns the position's text. */
    static String waitForStep(int n) {
        return waitForStep(n, 120);
    }

    static String waitForStep(int n, int seconds) {
        return HeadlessChromium.waitFor(driver, seconds, d -> {
            String p = HeadlessChromium.text(d, "#position");
            return p.contains("(step " + n + " of ") ? p : null;
        });
    }

    /** Presses KEY (on the page, as a user does) N times. */
    static void press(CharSequence key, int n) {
        WebElement body = driver.findElement(By.tagName("body"));
        for (int i = 0; i < n; i++) {
            body.sendKeys(key);
        }
    }

    /** Clicks the frame row of page KEY and waits for its panels. */
    static void select(String key) {
        driver.findElement(By.cssSelector("#frametable tr[data-key=\"" + key + "\"]")).click();
        HeadlessChromium.waitFor(driver, 60, d -> HeadlessChromium.text(d, "#pagekey").equals("pid " + key.replace("@", " @")));
    }

    /** The texts of the elements SELECTOR finds inside E. */
    static List<String> texts(WebElement e, String selector) {
        List<String> l = new ArrayList<>();
        for (WebElement x : e.findElements(By.cssSelector(selector))) {
            l.add(x.getText());
        }
        return l;
    }

    /** Each design panel's "panel DESIGN VMAS VISIT | VISIT ...", then what MORE adds for it. */
    static List<String> panels(java.util.function.BiConsumer<WebElement, List<String>> more) {
        List<String> out = new ArrayList<>();
        for (WebElement p : driver.findElements(By.cssSelector(".design-panel"))) {
            out.add("panel " + p.getAttribute("data-design") + " " + p.getAttribute("data-vmas") + " "
                    + String.join(" | ", texts(p, "ol.walk li.ev-vma")));
            more.accept(p, out);
        }
        return out;
    }

    /** The screenshot of the page as it is now: not blank, the designs' colours on it. */
    static BufferedImage assertScreenshot() throws Exception {
        BufferedImage img = HeadlessChromium.assertNotBlank(HeadlessChromium.screenshot(driver), HeadlessChromium.WIDTH,
                HeadlessChromium.HEIGHT);
        BrowserTest.assertDesignColours(img);
        return img;
    }

    /**
     * One model run, two views: at the last step the counter table shows, for every design, the
     * rmap operations {@code compare} prints for the same scenario (rmap_adds, rmap_dups,
     * rmap_removes, rmap_vma_ops, rmap_mm_ops).
     */
    @Test
    void theCounterTableShowsTheNumbersComparePrints() throws Exception {
        Path site = dir.resolve("site");
        assertEquals(0, cli.run("explore", "examples/fork-cow.vms", "--out", site.toString()), cli.err);
        open(site);
        press(Keys.END, 1);
        waitForStep(12);
        Map<String, Map<String, String>> shown = new LinkedHashMap<>(); // counter -> design -> value
        List<String> designs = new ArrayList<>();
        for (WebElement tr : driver.findElements(By.cssSelector("#countertable tr"))) {
            List<String> cells = texts(tr, "th, td");
            if (cells.get(0).equals("counter")) {
                designs.addAll(cells.subList(1, cells.size()));
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 1; i < cells.size(); i++) {
                row.put(designs.get(i - 1), cells.get(i).split(" ")[0]); // "16 (+2)": the value, not the delta
            }
            shown.put(cells.get(0), row);
        }
        assertEquals(Backend.model().designs(), designs);

        assertEquals(0, cli.run("compare", "examples/fork-cow.vms", "--format", "csv"), cli.err);
        List<String> csv = cli.out.lines().toList();
        List<String> header = List.of(csv.get(0).split(",", -1));
        int nonZero = 0;
        for (String counter : List.of("rmap_adds", "rmap_dups", "rmap_removes", "rmap_vma_ops", "rmap_mm_ops")) {
            for (String line : csv.subList(1, csv.size())) {
                String[] f = line.split(",", -1);
                String want = f[header.indexOf(counter)];
                String got = shown.getOrDefault(counter, Map.of()).getOrDefault(f[0], "0");
                assertEquals(want, got, counter + " under " + f[0]);
                nonZero += want.equals("0") ? 0 : 1;
            }
        }
        // Hand-derived: every design adds 16 rmaps when t1 writes its 16 pages, so at least the
        // five rmap_adds cells are not 0 and the comparison is not between empty tables.
        assertTrue(nonZero >= 5, "only " + nonZero + " counters are not 0");
    }

    @Test
    void eachPanelListsTheVmasItsWalkVisits() throws Exception {
        Path site = dir.resolve("site");
        assertEquals(0, cli.run("explore", "examples/fork-cow.vms", "--out", site.toString()), cli.err);
        open(site);
        press(Keys.ARROW_RIGHT, COW_STEP - 1);
        waitForStep(COW_STEP);
        driver.findElement(By.id("next")).click(); // the ▶ button, the last step to the COW
        assertEquals("line 7 (step 4 of 12)", waitForStep(COW_STEP + 1));
        select(PAGE);
        List<String> lines = panels((p, out) -> { });

        // The same model run on the Java side: each design's walk of t1's page at the COW.
        Map<String, String> want = new LinkedHashMap<>();
        for (Recorder.DesignRun r : new Recorder(CheckPolicy.parse("end"))
                .record(ScenarioParser.parseFile(Path.of("examples/fork-cow.vms")), Backend.model().designs())) {
            Recorder.Walk w = null;
            for (Recorder.Walk x : r.steps.get(COW_STEP).walks().values()) {
                w = x.key.equals(PAGE) ? x : w;
            }
            List<String> vmas = new ArrayList<>();
            for (Recorder.WalkEvent e : w.events) {
                if (e.what().equals("vma")) {
                    vmas.add("visit " + e.label());
                }
            }
            assertEquals(w.vmasVisited, vmas.size(), r.design);
            want.put(r.design, "panel " + r.design + " " + w.vmasVisited + " " + String.join(" | ", vmas));
        }
        assertEquals(List.copyOf(want.values()), lines);
        // Hand-derived (RecorderTest): after the COW, anon_vma_chain's walk of t1's page visits
        // one vma, 2.6.7's anon_vma list two (t2's vma first, where the page is no more).
        assertTrue(want.get("anon_vma_chain").startsWith("panel anon_vma_chain 1 "), want.get("anon_vma_chain"));
        assertTrue(want.get("anon_vma").startsWith("panel anon_vma 2 visit pid 2 "), want.get("anon_vma"));

        assertScreenshot();
    }

    /**
     * A file page (examples/file-fork.vms, hand-derived in FileStructureTest): at the last line,
     * click F's page 1 ({@code 1@7ffff7ff9000}) and check that each design's structure lists, in
     * order, the vmas its walk visits: the query's answer of the interval tree (anon_vma_chain,
     * lokier) and the prio_tree (anon_vma), SH in mm1 then mm2, 2 vmas; 2.6.6's i_mmap_shared
     * (anonmm), every vma on it, the two VM_NONLINEAR ones reached and skipped, 6; 2.6.0's chain
     * (pte_chains), one vma per chained pte, 4.
     */
    @Test
    void aFilePagesPanelsListTheVmasTheirWalksVisit() throws Exception {
        Path site = dir.resolve("file");
        assertEquals(0, cli.run("explore", "examples/file-fork.vms", "--out", site.toString()), cli.err);
        open(site);
        press(Keys.END, 1);
        List<String> lines = new ArrayList<>(List.of("position " + waitForStep(10)));
        assertEquals("position line 14 (step 10 of 10)", lines.get(0));
        select("1@7ffff7ff9000");
        lines.addAll(panels((p, out) -> {
            List<String> visits = new ArrayList<>();
            for (String v : texts(p, "ul.structure li.k-vma")) {
                if (v.startsWith("visit ")) {
                    visits.add(v);
                }
            }
            out.add("structure " + String.join(" | ", visits));
            out.add("chain " + String.join(" | ", texts(p, "ul.structure li.k-pte")));
            out.add("ptes " + String.join(" | ", texts(p, "ol.walk li.ev-pte")));
        }));
        Map<String, Integer> want = Map.of("anon_vma_chain", 2, "anon_vma", 2, "pte_chains", 4, "anonmm", 6, "lokier", 2);
        Pattern walkVma = Pattern.compile("visit pid (\\d+) ([0-9a-f]+-[0-9a-f]+)");
        Pattern structVma = Pattern.compile("vma mm(\\d+) ([0-9a-f]+-[0-9a-f]+)");
        Pattern pte = Pattern.compile("(?:pid |mm)(\\d+) (@[0-9a-f]+)");
        for (int i = 1; i < lines.size(); i += 4) {
            String[] head = lines.get(i).split(" ", 4);
            String design = head[1];
            assertEquals(want.get(design), Integer.valueOf(head[2]), lines.get(i));
            List<String> visited = all(walkVma, head.length > 3 ? head[3] : "");
            assertEquals(want.get(design), visited.size(), lines.get(i));
            if (design.equals("pte_chains")) {
                // 2.6.0 walks the chain: the ptes checked are the chain's, in chain order.
                assertEquals(all(pte, lines.get(i + 2)), all(pte, lines.get(i + 3)), design);
                assertEquals(4, all(pte, lines.get(i + 2)).size(), lines.get(i + 2));
            } else {
                // mm N is pid N's here (t1 made mm1, its fork mm2).
                assertEquals(visited, all(structVma, lines.get(i + 1)), design);
            }
        }
        assertEquals(1 + 4 * want.size(), lines.size(), String.join("\n", lines));

        // The docs' screenshot (README, "The explorer"): this page, with
        // -Drmaplab.explorer.screenshot=docs/img/explorer.png (kept under 300 KB).
        assertScreenshot();
        String shot = System.getProperty("rmaplab.explorer.screenshot");
        if (shot != null) {
            // The tasks' maps hidden so that the selected page's panels are in view; 1200x1300.
            driver.executeScript("document.getElementById('tasks').style.display='none';");
            HeadlessChromium.viewport(driver, 1200, 1300);
            Path png = dir.resolve("explorer.png");
            try {
                byte[] bytes = HeadlessChromium.screenshot(driver);
                HeadlessChromium.assertNotBlank(bytes, 1200, 1300);
                Files.write(png, bytes);
            } finally {
                HeadlessChromium.viewport(driver, HeadlessChromium.WIDTH, HeadlessChromium.HEIGHT);
            }
            assertTrue(Files.size(png) < 300_000, "the screenshot is " + Files.size(png) + " bytes");
            Files.createDirectories(Path.of(shot).toAbsolutePath().getParent());
            Files.copy(png, Path.of(shot), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * explore --kernel on examples/merge-parts.vms (hand-derived in ExploreKernelTest): at line 12,
     * the maps line where the four historical designs part from the kernel, the page shows the
     * kernel's result (3 vmas) and, per parted design, both results side by side with both maps:
     * the kernel's three lines, the model's one; the timeline marks that one line.
     */
    @Test
    void theLineWhereModelAndKernelPartedIsMarked() throws Exception {
        org.rmaplab.harness.KernelAvailable.kernel();
        Path site = dir.resolve("kernel");
        assertEquals(0, cli.run("explore", "examples/merge-parts.vms", "--kernel", "--out", site.toString()), cli.err);
        open(site);
        press(Keys.ARROW_RIGHT, 5);
        waitForStep(6);
        List<String> out = new ArrayList<>();
        out.add("linux " + HeadlessChromium.text(driver, "#kernel-result"));
        out.add("parted " + driver.findElements(By.cssSelector("#timeline div.parted")).size());
        for (WebElement x : driver.findElements(By.cssSelector(".side-by-side"))) {
            List<String> c = new ArrayList<>();
            for (WebElement sd : x.findElements(By.cssSelector(".side"))) {
                List<WebElement> pre = sd.findElements(By.tagName("pre"));
                // the result and the maps' lines as the page holds them (textContent: the result's
                // two spaces before the vmas' count, which the rendered text shows as one)
                c.add(sd.findElement(By.cssSelector(".result")).getDomProperty("textContent") + " / "
                        + (pre.isEmpty() ? 0 : pre.get(0).getDomProperty("textContent").split("\n", -1).length));
            }
            out.add("side " + x.getAttribute("data-design") + ": " + String.join(" | ", c));
        }
        String a = "= 3 [A..@11 rw-p 0x0, @11..@11+4p rw-p 0x0, @11+4p..@11+8p rw-p 0x0]  [3] / 3";
        String b = "= 1 [A..@11+8p rw-p 0x0]  [1] / 1";
        assertEquals(List.of("linux linux = 3", "parted 1", "side anon_vma: " + a + " | " + b,
                "side pte_chains: " + a + " | " + b, "side anonmm: " + a + " | " + b, "side lokier: " + a + " | " + b),
                out);
    }

    /**
     * Both walks side by side (examples/mlock-fork.vms, hand-derived in TryToUnmapReplayTest): at
     * the mlock line, t1's first page under anon_vma: page_referenced's walk visits t2's vma then
     * t1's and stops at mapcount; try_to_unmap's visits t2's (the list's head, VM_LOCKED) and stops
     * there with SWAP_FAIL.
     */
    @Test
    void aPanelShowsTryToUnmapsWalkBesidePageReferenceds() throws Exception {
        Path site = dir.resolve("mlock");
        assertEquals(0, cli.run("explore", "examples/mlock-fork.vms", "--design", "anon_vma", "--out", site.toString()),
                cli.err);
        open(site);
        press(Keys.ARROW_RIGHT, 4);
        List<String> lines = new ArrayList<>(List.of("position " + waitForStep(5)));
        select("1@7ffff7ffb000");
        lines.addAll(panels((p, out) -> {
            out.add("unmap " + String.join(" | ", texts(p, "ol.unmap-walk li.ev-vma")));
            out.add("stops " + String.join(" | ", texts(p, "p.stop")));
        }));
        String t1 = "visit pid 1 7ffff7ffb000-7ffff7fff000 rw-p pgoff 7ffff7ffb";
        String t2 = "visit pid 2 7ffff7ffb000-7ffff7fff000 r--p pgoff 7ffff7ffb";
        assertEquals(List.of("position line 8 (step 5 of 8)", "panel anon_vma 2 " + t2 + " | " + t1, "unmap " + t2,
                "stops stopped: mapcount reached (2 ptes found) | stopped: VM_LOCKED vma (SWAP_FAIL)"),
                lines);
    }

    /**
     * Not a test but the measurement in docs/explorer.md, run only with
     * {@code -Drmaplab.explorer.measure=SITE} (a site {@code explore --out} wrote; runs:
     * {@code -Drmaplab.explorer.measure.runs=N}, 3): per run, from a blank page, the wall time of
     * the navigation to the first step drawn, of a step forward (→), a step back (←), the steps to
     * step AT ({@code -Drmaplab.explorer.measure.select=AT}, 6: ScaleScenario's first line after its
     * forks), selecting a page there (a click on the first frame row that has one), a step forward
     * with the page selected, and End (every chunk loaded). "Drawn" is the position showing the step, polled every 20 ms
     * over WebDriver: the page sets it in render(), whose other parts run in the same task, so a
     * poll sees it only once the whole step is drawn.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "rmaplab.explorer.measure", matches = ".+")
    void measureLoadTimes() {
        Path site = Path.of(System.getProperty("rmaplab.explorer.measure"));
        int runs = Integer.getInteger("rmaplab.explorer.measure.runs", 3);
        int at = Integer.getInteger("rmaplab.explorer.measure.select", 6);
        for (int i = 0; i < runs; i++) {
            driver.get("about:blank");
            long t0 = System.nanoTime();
            driver.get(site.resolve("index.html").toUri().toString());
            String first = waitForStep(1, 600);
            long t1 = System.nanoTime();
            int n = Integer.parseInt(first.replaceFirst(".* of (\\d+)\\)$", "$1"));
            press(Keys.ARROW_RIGHT, 1);
            waitForStep(2, 600);
            long t2 = System.nanoTime();
            press(Keys.ARROW_LEFT, 1);
            waitForStep(1, 600);
            long t3 = System.nanoTime();
            // Step 1 maps no page yet: at step AT (after the forks in ScaleScenario), click the
            // first frame row that has a page.
            press(Keys.ARROW_RIGHT, at - 1);
            waitForStep(at, 600);
            long t3b = System.nanoTime();
            driver.findElement(By.cssSelector("#frametable tr[data-key]:not([data-key=''])")).click();
            HeadlessChromium.waitFor(driver, 600, d -> !HeadlessChromium.text(d, "#pagekey").equals("none")
                    && !d.findElements(By.cssSelector(".design-panel")).isEmpty());
            long t4 = System.nanoTime();
            press(Keys.ARROW_RIGHT, 1);
            waitForStep(at + 1, 600);
            long t5 = System.nanoTime();
            press(Keys.END, 1);
            waitForStep(n, 600);
            long t6 = System.nanoTime();
            System.out.printf(java.util.Locale.ROOT, "explorer load, run %d: first step %.2f s, step forward %.2f s, back %.2f s,"
                    + " %d steps forward %.2f s, select a page %.2f s, step with the page selected %.2f s, End (step %d) %.2f s%n",
                    i + 1, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, at - 1, (t3b - t3) / 1e9, (t4 - t3b) / 1e9,
                    (t5 - t4) / 1e9, n, (t6 - t5) / 1e9);
        }
    }

    /** "N range" (or "N @address") for each match of P in S, in order. */
    static List<String> all(Pattern p, String s) {
        List<String> l = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            l.add(m.group(1) + " " + m.group(2));
        }
        return l;
    }

    /**
     * A 2,000-line scenario ({@link ScaleScenario}, 2,048 pages, three forks) is written in more
     * than one chunk; the page shows step 1 with only data-000.js loaded, then reaches the first step
     * of every chunk, the last step (the End key), step 1 again and step 6 (a click on its timeline
     * row), each showing the line and every design's result the Java side recorded there; the
     * timeline draws only the rows around those in view.
     */
    @Test
    void aLongScenarioLoadsItsChunksOnDemand() throws Exception {
        Path file = dir.resolve("scale.vms");
        Files.writeString(file, ScaleScenario.text(2000, 2048));
        Path site = dir.resolve("site");
        List<String> designs = List.of("anon_vma_chain", "anon_vma");
        assertEquals(0, cli.run("explore", file.toString(), "--design", String.join(",", designs), "--out",
                site.toString()), cli.err);
        long chunks;
        try (var l = Files.list(site)) {
            chunks = l.filter(p -> p.getFileName().toString().matches("data-\\d{3}\\.js")).count();
        }
        assertTrue(chunks > 1, "chunks: " + chunks);
        // Step 1 with only data-000.js loaded, then the first step of every chunk (a wheel over
        // the timeline until its row is drawn, a click on it), End, Home, a click on step 6's row.
        open(site);
        List<String> got = new ArrayList<>();
        got.add("chunks loaded " + driver.findElements(By.cssSelector("script[src^='data-']")).size() + " of " + chunks);
        got.add(seen());
        String header = Files.readString(site.resolve("data.js"));
        Matcher c = Pattern.compile("\"chunks\":\\[([0-9,]+)\\]").matcher(header);
        assertTrue(c.find(), "data.js lists its chunks");
        List<Integer> steps = new ArrayList<>();
        for (String x : c.group(1).split(",")) {
            steps.add(Integer.parseInt(x));
        }
        for (int st : steps.subList(1, steps.size())) {
            clickTimelineRow(st);
            waitForStep(st + 1);
            got.add(seen());
        }
        press(Keys.END, 1);
        waitForStep(2000);
        got.add(seen());
        press(Keys.HOME, 1);
        waitForStep(1);
        got.add(seen());
        clickTimelineRow(5);
        waitForStep(6);
        got.add(seen());
        int drawn = driver.findElements(By.cssSelector("#timeline [data-i]")).size();

        // What the page must show: the same run on the Java side.
        var sc = ScenarioParser.parse(file.toString(), Files.readString(file));
        List<Recorder.DesignRun> runs = new Recorder(CheckPolicy.parse("end")).record(sc, designs);
        assertEquals(chunks, steps.size());
        steps.add(1999);
        steps.add(0);
        steps.add(5); // a click on the timeline's row of step 5 (one handler on the container)
        List<String> want = new ArrayList<>(List.of("chunks loaded 1 of " + chunks));
        for (int st : steps) {
            StringBuilder b = new StringBuilder("line " + sc.statements().get(st).line() + " (step " + (st + 1) + " of 2000)");
            for (Recorder.DesignRun r : runs) {
                b.append(" | ").append(r.design).append(" = ").append(r.steps.get(st).result);
            }
            want.add(b.toString());
        }
        assertEquals(String.join("\n", want), String.join("\n", got));
        // Only the rows in view and 20 either side are drawn, not one element a line: at step 6,
        // the first rows, at most a window's height (BrowserTest.HEIGHT, 18 px a row) and 20 more.
        assertTrue(drawn > 20 && drawn <= HeadlessChromium.HEIGHT / 18 + 1 + 20, "rows " + drawn);
    }

    /** The position and every design's result at the step shown: "POSITION | DESIGN = RESULT | ...". */
    static String seen() {
        StringBuilder b = new StringBuilder(HeadlessChromium.text(driver, "#position"));
        for (WebElement tr : driver.findElements(By.cssSelector("#results tr"))) {
            List<WebElement> td = tr.findElements(By.xpath("./*"));
            b.append(" | ").append(td.get(0).getText()).append(' ').append(td.get(1).getText());
        }
        return b.toString();
    }

    /** Turns the wheel over the timeline until step N's row is drawn, then clicks it. */
    static void clickTimelineRow(int n) {
        WebElement tl = driver.findElement(By.id("timeline"));
        By row = By.cssSelector("#timeline [data-i=\"" + n + "\"]");
        for (int tries = 0; driver.findElements(row).isEmpty(); tries++) {
            assertTrue(tries < 20, "the timeline's row " + n + " is not drawn after 20 turns of the wheel");
            long top = ((Number) driver.executeScript("return arguments[0].scrollTop;", tl)).longValue();
            new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(tl), 0, (int) (n * 18L - top - 100))
                    .perform();
            HeadlessChromium.waitFor(driver, 5, d -> ((Number) driver.executeScript("return arguments[0].scrollTop;", tl))
                    .longValue() != top || !d.findElements(row).isEmpty());
        }
        driver.findElement(row).click();
    }
}
