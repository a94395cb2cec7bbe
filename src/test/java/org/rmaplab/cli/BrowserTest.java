package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The HTML pages in a real browser: headless Chromium (Debian's {@code chromium}, driven through
 * its {@code chromedriver} with Selenium WebDriver, {@link HeadlessChromium}) renders
 * {@code compare --html} with a sweep and {@code rmaplab report}; the screenshot must be a
 * non-blank PNG of the window's size, and the numbers in the rendered DOM's tables must be the
 * CSV's of the same run. The charts as rendered: every text (legends too) inside its svg's frame
 * by getBBox, each design's line its own dash pattern, and every design's colour in each plot on
 * the screenshot, where designs with equal values are drawn on top of each other. One browser for
 * the class. Skipped, with the reason, where chromium or chromedriver is not installed
 * ({@code -Drmaplab.chromium=PATH} and {@code -Drmaplab.chromedriver=PATH} name other binaries;
 * {@code -Drmaplab.chromium=none} skips).
 */
class BrowserTest {
    static final int WIDTH = HeadlessChromium.WIDTH;
    static final int HEIGHT = HeadlessChromium.HEIGHT;

    static ChromeDriver driver;

    @TempDir
    Path dir;

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

    /** Runs rmaplab commands in this JVM (its out and err hold the last one's output). */
    final CompareCommandTest cli = new CompareCommandTest();

    int run(String... args) {
        return cli.run(args);
    }

    /**
     * Opens PAGE and checks its screenshot (of the window, TakesScreenshot): a PNG of the window's
     * size with more than a few colours and enough ink, the designs' colours on it.
     */
    BufferedImage assertScreenshot(Path page) throws Exception {
        HeadlessChromium.open(driver, page);
        BufferedImage img = HeadlessChromium.assertNotBlank(HeadlessChromium.screenshot(driver), WIDTH, HEIGHT);
        assertDesignColours(img);
        return img;
    }

    /** The designs' colours are drawn (lines, markers, legends). */
    static void assertDesignColours(BufferedImage img) {
        Set<Integer> colours = HeadlessChromium.colours(img);
        for (int c : new int[] {0x1f77b4, 0xd62728, 0x2ca02c}) {
            assertTrue(colours.contains(c), "colour " + Integer.toHexString(c) + " is on the page");
        }
    }

    /**
     * Measures the open page's charts as rendered: each svg's place on the page ({@code svg I
     * INSIDE-DETAILS X Y W H}) as the screenshot shows it; then, every {@code <details>} opened by a
     * click on its summary, each text whose rendered box (getBBox) is empty or passes the frame
     * ({@code outside I TEXT}), and each line's design, computed stroke colour, dash pattern and
     * width ({@code series I DESIGN RGB DASH WIDTH}). Returns those lines.
     */
    List<String> measure() {
        List<String> out = new ArrayList<>();
        JavascriptExecutor js = driver;
        // getBBox and the svgs' viewBox have no WebDriver call: a script reads them.
        out.addAll(lines(js.executeScript("var out=[],svgs=document.querySelectorAll('svg');"
                + "for(var i=0;i<svgs.length;i++){var s=svgs[i],vb=s.viewBox.baseVal,r=s.getBoundingClientRect();"
                + "out.push(['svg',i,s.closest('details')?1:0,Math.round(r.left+window.scrollX),"
                + "Math.round(r.top+window.scrollY),vb.width,vb.height].join(' '));}return out;")));
        for (WebElement summary : driver.findElements(By.cssSelector("details > summary"))) {
            js.executeScript("arguments[0].scrollIntoView({block:'center'});", summary);
            summary.click();
        }
        assertTrue(driver.findElements(By.cssSelector("details:not([open])")).isEmpty(), "every details opened");
        out.addAll(lines(js.executeScript("var out=[],svgs=document.querySelectorAll('svg');"
                + "for(var i=0;i<svgs.length;i++){var s=svgs[i],vb=s.viewBox.baseVal;"
                + "s.querySelectorAll('text').forEach(function(t){if(t.hasAttribute('transform'))return;"
                + "var b=t.getBBox();if(b.width===0||b.x<0||b.y<0||b.x+b.width>vb.width||b.y+b.height>vb.height)"
                + "out.push('outside '+i+' '+t.textContent+' '+[b.x,b.y,b.width,b.height].join(','));});"
                + "s.querySelectorAll('polyline.series').forEach(function(p){var c=getComputedStyle(p);"
                + "out.push(['series',i,p.getAttribute('data-design'),c.stroke.replace(/ /g,''),"
                + "c.strokeDasharray.replace(/ /g,''),c.strokeWidth].join(' '));});}return out;")));
        return out;
    }

    private static List<String> lines(Object list) {
        List<String> l = new ArrayList<>();
        for (Object o : (List<?>) list) {
            l.add((String) o);
        }
        return l;
    }

    /**
     * The charts of the open page (screenshot SHOT, taken before any details was opened) as rendered: every text inside its svg's frame (legends
     * included), on each chart every line its own dash pattern, and in each chart on the screenshot
     * every design's colour in the plot (not just in the legend) — designs with equal values, drawn
     * on top of each other, still show. Returns how many charts' plots were looked at.
     */
    int assertChartsRendered(BufferedImage shot) {
        List<String> lines = measure();
        Map<Integer, int[]> place = new HashMap<>();
        Map<Integer, Map<String, String>> dashes = new HashMap<>();
        Map<Integer, Set<Integer>> colours = new HashMap<>();
        for (String l : lines) {
            String[] f = l.split(" ");
            assertTrue(!f[0].equals("outside"), "text outside its chart's frame: " + l);
            int i = Integer.parseInt(f[1]);
            if (f[0].equals("svg") && f[2].equals("0")) {
                place.put(i, new int[] {Integer.parseInt(f[3]), Integer.parseInt(f[4])});
            } else if (f[0].equals("series")) {
                String prev = dashes.computeIfAbsent(i, k -> new HashMap<>()).put(f[4], f[2]);
                assertTrue(prev == null, "chart " + i + ": " + f[2] + " and " + prev + " both dashed " + f[4]);
                Matcher rgb = Pattern.compile("rgb\\((\\d+),(\\d+),(\\d+)\\)").matcher(f[3]);
                assertTrue(rgb.find(), f[3]);
                colours.computeIfAbsent(i, k -> new HashSet<>()).add(Integer.parseInt(rgb.group(1)) << 16
                        | Integer.parseInt(rgb.group(2)) << 8 | Integer.parseInt(rgb.group(3)));
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("svg ")), "charts measured");
        int looked = 0;
        for (Map.Entry<Integer, int[]> e : place.entrySet()) {
            // The plot: x 72 to 544, y 16 to 254 inside the svg (its 1-px border first).
            int x0 = e.getValue()[0] + 1 + 72;
            int y0 = e.getValue()[1] + 1 + 16;
            if (y0 + 238 > HEIGHT || x0 + 472 > WIDTH || !colours.containsKey(e.getKey())) {
                continue;
            }
            looked++;
            for (int c : colours.get(e.getKey())) {
                int seen = 0;
                for (int y = y0; y < y0 + 238; y++) {
                    for (int x = x0; x < x0 + 472; x++) {
                        int p = shot.getRGB(x, y) & 0xffffff;
                        if (Math.abs((p >> 16) - (c >> 16)) <= 24 && Math.abs((p >> 8 & 0xff) - (c >> 8 & 0xff)) <= 24
                                && Math.abs((p & 0xff) - (c & 0xff)) <= 24) {
                            seen++;
                        }
                    }
                }
                assertTrue(seen >= 10, "chart " + e.getKey() + ": colour " + Integer.toHexString(c)
                        + " in the plot on " + seen + " pixels");
            }
        }
        return looked;
    }

    static final Pattern TABLE = Pattern.compile("<table([^>]*)>(.*?)</table>", Pattern.DOTALL);
    static final Pattern ROW = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL);
    static final Pattern CELL = Pattern.compile("<t[hd][^>]*>(.*?)</t[hd]>", Pattern.DOTALL);
    static final Pattern FIGURE = Pattern.compile("<figure[^>]*>(.*?)</figure>", Pattern.DOTALL);
    static final Pattern CAPTION = Pattern.compile("<figcaption[^>]*>(.*?)</figcaption>", Pattern.DOTALL);

    /** The rows of an HTML table's markup, as lists of cell texts. */
    static List<List<String>> rows(String table) {
        List<List<String>> rows = new ArrayList<>();
        Matcher r = ROW.matcher(table);
        while (r.find()) {
            List<String> cells = new ArrayList<>();
            Matcher c = CELL.matcher(r.group(1));
            while (c.find()) {
                cells.add(c.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                        .replace("&amp;", "&").strip());
            }
            rows.add(cells);
        }
        return rows;
    }

    static List<List<String>> csv(String csv) {
        List<List<String>> rows = new ArrayList<>();
        csv.lines().forEach(l -> rows.add(List.of(l.split(",", -1))));
        return rows;
    }

    /**
     * compare --html with a sweep, rendered: every number in the page's tables (the per-metric
     * tables and the table of all rows) is the CSV's of the same arguments.
     */
    @Test
    void compareHtmlWithASweep() throws Exception {
        String[] args = {"compare", "fork-fanout", "--sweep", "children=1,2,4,8", "--param", "parent_exits=1",
                "--param", "pages=4"};
        Path page = dir.resolve("compare.html");
        assertEquals(0, run(CompareCommandTest.concat(args, "--html", page.toString())), cli.err);
        assertEquals(0, run(CompareCommandTest.concat(args, "--format", "csv")), cli.err);
        List<List<String>> csv = csv(cli.out);
        List<String> header = csv.get(0);

        BufferedImage shot = assertScreenshot(page);
        assertTrue(assertChartsRendered(shot) >= 4, "charts on the screenshot");
        String dom = driver.getPageSource();
        assertTrue(dom.contains("<svg"), "rendered SVG");

        // The table of all rows is the CSV.
        String data = null;
        Matcher t = TABLE.matcher(dom);
        while (t.find()) {
            if (t.group(1).contains("id=\"data\"")) {
                data = t.group(2);
            }
        }
        assertEquals(csv, rows(data));

        // Each chart's table: the swept value, then a column per design, in the CSV's numbers.
        Map<String, Map<String, String>> byDesignAndX = new HashMap<>();
        for (List<String> r : csv.subList(1, csv.size())) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                m.put(header.get(i), r.get(i));
            }
            byDesignAndX.put(r.get(0) + "/" + r.get(1), m);
        }
        Matcher f = FIGURE.matcher(dom);
        int figures = 0;
        int cells = 0;
        while (f.find()) {
            figures++;
            Matcher cap = CAPTION.matcher(f.group(1));
            assertTrue(cap.find());
            String metric = cap.group(1).strip();
            assertTrue(header.contains(metric), metric);
            Matcher mt = TABLE.matcher(f.group(1));
            assertTrue(mt.find(), metric);
            List<List<String>> rows = rows(mt.group(2));
            assertEquals("children", rows.get(0).get(0));
            for (List<String> r : rows.subList(1, rows.size())) {
                for (int i = 1; i < r.size(); i++) {
                    String design = rows.get(0).get(i);
                    assertEquals(byDesignAndX.get(design + "/" + r.get(0)).get(metric), r.get(i),
                            metric + " " + design + " children=" + r.get(0));
                    cells++;
                }
            }
        }
        assertTrue(figures >= 10, "charts rendered: " + figures);
        assertTrue(cells >= figures * 4, "cells checked: " + cells);
    }

    /**
     * rmaplab report, rendered: its three charts' tables hold the numbers compare's CSV gives for
     * the same sweeps (walk cost is walk_vmas_visited / walks).
     */
    @Test
    void reportHtml() throws Exception {
        Path page = dir.resolve("report.html");
        assertEquals(0, run("report", "--out", page.toString()), cli.err);
        BufferedImage shot = assertScreenshot(page);
        assertEquals(3, assertChartsRendered(shot), "the report's three charts on the screenshot");
        String dom = driver.getPageSource();
        List<List<List<String>>> tables = new ArrayList<>();
        Matcher t = TABLE.matcher(dom);
        while (t.find()) {
            tables.add(rows(t.group(2)));
        }
        assertEquals(3, tables.size());
        String[][] sweeps = {
            {"fork-fanout", "children=1,2,4,8,16,32", "x86_64", "pages=4", "parent_exits=1"},
            {"shared-segment", "tasks=2,4,8,16,32", "i386", "pages=256"},
            {"prefork-server", "workers=1,2,4,8,16", "x86_64"}};
        for (int s = 0; s < sweeps.length; s++) {
            List<String> args = new ArrayList<>(List.of("compare", sweeps[s][0], "--sweep", sweeps[s][1],
                    "--arch", sweeps[s][2], "--format", "csv"));
            for (int i = 3; i < sweeps[s].length; i++) {
                args.add("--param");
                args.add(sweeps[s][i]);
            }
            assertEquals(0, run(args.toArray(new String[0])), cli.err);
            List<List<String>> csv = csv(cli.out);
            List<String> header = csv.get(0);
            List<List<String>> table = tables.get(s);
            for (List<String> r : csv.subList(1, csv.size())) {
                Map<String, String> m = new HashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    m.put(header.get(i), r.get(i));
                }
                String shown = cell(table, m.get(header.get(1)), m.get("design"));
                String want = switch (s) {
                    case 0 -> {
                        double mean = Double.parseDouble(m.get("walk_vmas_visited")) / Double.parseDouble(m.get("walks"));
                        yield mean == Math.rint(mean) ? Long.toString((long) mean)
                                : String.format(java.util.Locale.ROOT, "%.2f", mean).replaceFirst("0$", "");
                    }
                    case 1 -> m.get("rmap_bytes_peak");
                    default -> m.get("rmap_ops");
                };
                assertEquals(want, shown, sweeps[s][0] + " " + m.get("design") + " " + header.get(1) + "=" + m.get(header.get(1)));
            }
        }
    }

    /** The cell of TABLE (first row: parameter, designs) at parameter value X, column DESIGN. */
    static String cell(List<List<String>> table, String x, String design) {
        int col = table.get(0).indexOf(design);
        for (List<String> r : table.subList(1, table.size())) {
            if (r.get(0).equals(x)) {
                return r.get(col);
            }
        }
        throw new AssertionError("no row " + x + " in " + table);
    }
}
