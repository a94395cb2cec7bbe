package org.rmaplab.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.rmaplab.rmap.RmapDesigns;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The charts' SVG, one test per thing a reader got wrong from them: the x axis's scale, shares,
 * metrics nothing counted, designs drawn on top of each other, legends past the frame, and a
 * sweep's order of charts.
 */
class ChartSvgTest {
    static final String SVG = "http://www.w3.org/2000/svg";
    static final String[] FIVE = {"anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"};

    static Element svg(String text) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
    }

    static List<Element> all(Element e, String tag) {
        List<Element> l = new ArrayList<>();
        NodeList n = e.getElementsByTagNameNS(SVG, tag);
        for (int i = 0; i < n.getLength(); i++) {
            l.add((Element) n.item(i));
        }
        return l;
    }

    static String textOf(Element svg, String cls) {
        for (Element t : all(svg, "text")) {
            if (t.getAttribute("class").equals(cls)) {
                return t.getTextContent();
            }
        }
        return null;
    }

    /** The points of SVG's first polyline as {x, y} pairs. */
    static double[][] points(Element svg) {
        String[] p = all(svg, "polyline").get(0).getAttribute("points").split(" ");
        double[][] xy = new double[p.length][];
        for (int i = 0; i < p.length; i++) {
            String[] s = p[i].split(",");
            xy[i] = new double[] {Double.parseDouble(s[0]), Double.parseDouble(s[1])};
        }
        return xy;
    }

    static Map<String, double[]> one(String design, double... y) {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put(design, y);
        return m;
    }

    /**
     * Powers of two are placed by value on a linear scale and the axis says so: a cost linear in
     * children (anon_vma's walk) is a straight line. 1..32: x(2)-x(1) is 1/16 of x(32)-x(16). Too
     * crowded for linear (1..128: 1 and 2 would be 2.5 px apart), they go on a log2 scale, said
     * so, evenly spaced; with a 0 they cannot, and the axis says "not to scale".
     */
    @Test
    void xAxisPlacesValuesByValueAndNamesItsScale() throws Exception {
        String[] xs = {"1", "2", "4", "8", "16", "32"};
        Element s = svg(HtmlReport.lineChart("t", "children", xs, one("anon_vma", 1, 2, 4, 8, 16, 32), "vmas per walk"));
        assertEquals("children (linear scale)", textOf(s, "x-label"));
        double[][] p = points(s);
        assertEquals((p[5][0] - p[4][0]) / 16, p[1][0] - p[0][0], 0.1);
        // y = x on linear axes: the points lie on one straight line (equal slopes, 0.1 px rounding).
        double slope = (p[5][1] - p[0][1]) / (p[5][0] - p[0][0]);
        for (int i = 1; i < 5; i++) {
            assertEquals(slope, (p[i][1] - p[0][1]) / (p[i][0] - p[0][0]), 0.02, "point " + i);
        }
        String[] wide = {"1", "2", "4", "8", "16", "32", "64", "128"};
        Element l = svg(HtmlReport.lineChart("t", "children", wide, one("anon_vma", 1, 2, 3, 4, 5, 6, 7, 8), "walks"));
        assertEquals("children (log2 scale)", textOf(l, "x-label"));
        double[][] q = points(l);
        for (int i = 1; i < q.length; i++) {
            assertEquals(q[1][0] - q[0][0], q[i][0] - q[i - 1][0], 0.11);
        }
        assertEquals("not to scale", XScale.of(new String[] {"0", "1", "2", "4", "8", "16", "32", "64", "128"}).kind());
        assertEquals("", XScale.of(new String[] {"a", "b"}).kind());
        XScale lin = XScale.of(xs);
        assertArrayEquals(new String[] {"0", "10", "20", "30"}, lin.labels());
        assertArrayEquals(new double[] {1 / 32.0, 2 / 32.0, 4 / 32.0, 8 / 32.0, 0.5, 1}, lin.at(), 1e-12);
        // 100, 110, 120: from the smallest value, not from 0.
        assertArrayEquals(new double[] {0, 0.5, 1}, XScale.of(new String[] {"100", "110", "120"}).at(), 1e-12);
    }

    /** Swept values given out of order (--sweep children=4,1,2) are charted and tabled in ascending order, by value. */
    @Test
    void sweptValuesOutOfOrderAreSorted() {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String x : new String[] {"4", "1", "2"}) {
            for (String d : FIVE) {
                Map<String, String> r = new LinkedHashMap<>();
                r.put("design", d);
                r.put("children", x);
                r.put("arch", "x86_64");
                r.put("rmap_ops", x + d.length());
                rows.add(r);
            }
        }
        String page = CompareReport.html("s", "children", rows);
        assertTrue(page.contains(">children (linear scale)</text>"), page);
        int one = page.indexOf("<tr><td>1</td>");
        int two = page.indexOf("<tr><td>2</td>");
        int four = page.indexOf("<tr><td>4</td>");
        assertTrue(one > 0 && one < two && two < four, "rows 1, 2, 4 in the chart's table");
    }

    /** A share (pg_direct_share, 0 to 1) is drawn in percent on a 0-100% axis, whatever its largest value. */
    @Test
    void sharesAreShownFrom0To100Percent() throws Exception {
        assertEquals("share", CompareReport.unit("pg_direct_share"));
        Element s = svg(HtmlReport.lineChart("t", "children", new String[] {"1", "2"},
                one("pte_chains", 0.5, 0.25), "share"));
        assertEquals("share (%)", textOf(s, "y-unit"));
        List<String> ticks = new ArrayList<>();
        for (Element t : all(s, "text")) {
            if (t.getAttribute("text-anchor").equals("end") && t.getAttribute("class").isEmpty()) {
                ticks.add(t.getTextContent());
            }
        }
        assertEquals(List.of("0%", "20%", "40%", "60%", "80%", "100%"), ticks);
        // 0.5 halfway up the plot (y 16 to 254), 0.25 a quarter.
        double[][] p = points(s);
        assertEquals(254 - 238 * 0.5, p[0][1], 0.05);
        assertEquals(254 - 238 * 0.25, p[1][1], 0.05);
        Map<String, Double> bars = new LinkedHashMap<>();
        bars.put("pte_chains", 0.508);
        String bar = HtmlReport.barChart("t", bars, "share");
        assertTrue(bar.contains(">50.8%</text>"), bar);
        assertTrue(bar.contains(">100%</text>"), bar);
    }

    /**
     * Metrics zero or empty in every row are not charted but listed; so is a metric only one design
     * counts, the same at every point (walk_mms_* under anonmm); the rest are charted.
     */
    @Test
    void metricsNothingCountedAreNotCharted() {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String d : FIVE) {
            for (String x : new String[] {"1", "2"}) {
                Map<String, String> r = new LinkedHashMap<>();
                r.put("design", d);
                r.put("children", x);
                r.put("arch", "x86_64");
                r.put("rmap_ops", d.length() + x);
                r.put("unmaps_failed", d.equals("anon_vma") ? "" : "0");
                r.put("walk_mms_max", d.equals("anonmm") ? "1" : "");
                r.put("walk_ptes_p50", d.equals("anonmm") ? x : "");
                rows.add(r);
            }
        }
        String page = CompareReport.html("s", "children", rows);
        assertTrue(page.contains("<figcaption>rmap_ops</figcaption>"));
        assertTrue(page.contains("<figcaption>walk_ptes_p50</figcaption>"), "one design, but it varies");
        assertFalse(page.contains("<figcaption>unmaps_failed"));
        assertFalse(page.contains("<figcaption>walk_mms_max"));
        assertTrue(page.contains("<p class=\"not-counted\">Zero or not counted in every row (not charted): unmaps_failed.</p>"),
                page);
        assertTrue(page.contains("walk_mms_max = 1 (anonmm only; the others do not count it)"), page);
        assertNull(CompareReport.notCharted("rmap_ops", rows));
        assertEquals("", CompareReport.notCharted("unmaps_failed", rows));
    }

    /**
     * Designs keep their colours; each of the five has its own colour, dash pattern and marker
     * shape, every registered name (variants too) its own combination. Five equal series: five
     * polylines, each its own dash, widest first, so each one drawn later leaves the ones under it
     * showing; every marker drawn after every line, as an outline; and the chart names them equal.
     */
    @Test
    void equalSeriesStayVisible() throws Exception {
        assertEquals("#1f77b4", DesignStyle.of("anon_vma_chain").color());
        assertEquals("#d62728", DesignStyle.of("anon_vma").color());
        assertEquals("#2ca02c", DesignStyle.of("pte_chains").color());
        Set<String> colours = new HashSet<>();
        Set<String> dashes = new HashSet<>();
        Set<String> shapes = new HashSet<>();
        for (String d : FIVE) {
            colours.add(DesignStyle.of(d).color());
            dashes.add(DesignStyle.of(d).dash());
            shapes.add(DesignStyle.of(d).shape());
        }
        assertEquals(5, colours.size());
        assertEquals(5, dashes.size());
        assertEquals(5, shapes.size());
        Set<String> combos = new HashSet<>();
        for (String d : RmapDesigns.everyName()) {
            DesignStyle st = DesignStyle.of(d);
            assertTrue(combos.add(st.color() + "/" + st.dash() + "/" + st.shape()), d);
        }

        Map<String, double[]> ys = new LinkedHashMap<>();
        for (String d : FIVE) {
            ys.put(d, new double[] {3, 5, 9});
        }
        String text = HtmlReport.lineChart("t", "children", new String[] {"1", "2", "4"}, ys, "walks");
        Element s = svg(text);
        List<Element> lines = all(s, "polyline");
        assertEquals(5, lines.size());
        Set<String> drawnDashes = new HashSet<>();
        double width = Double.MAX_VALUE;
        for (Element l : lines) {
            drawnDashes.add(l.getAttribute("stroke-dasharray"));
            double w = Double.parseDouble(l.getAttribute("stroke-width"));
            assertTrue(w < width, "each line narrower than the one before it");
            width = w;
        }
        assertEquals(5, drawnDashes.size());
        assertTrue(text.lastIndexOf("<polyline") < text.indexOf("class=\"marker\""), "markers after the lines");
        Set<String> drawnShapes = new HashSet<>();
        for (String tag : new String[] {"circle", "path"}) {
            for (Element m : all(s, tag)) {
                if (m.getAttribute("class").equals("marker")) {
                    assertEquals("none", m.getAttribute("fill"));
                    drawnShapes.add(m.getAttribute("data-shape") + m.getAttribute("stroke"));
                }
            }
        }
        assertEquals(5, drawnShapes.size());
        assertTrue(text.contains(">All designs are equal at every point:</text>"), text);
        assertTrue(text.contains(">anon_vma_chain = anon_vma = pte_chains = anonmm = lokier</text>"), text);
        ys.put("anon_vma", new double[] {3, 5, 10});
        String two = HtmlReport.lineChart("t", "children", new String[] {"1", "2", "4"}, ys, "walks");
        assertTrue(two.contains(">anon_vma_chain = pte_chains = anonmm = lokier</text>"), two);
        assertFalse(two.contains("All designs"));
        ys.put("anon_vma_chain", new double[] {1, 5, 10});
        ys.put("pte_chains", new double[] {2, 5, 10});
        ys.put("anonmm", new double[] {3, 6, 10});
        ys.put("lokier", new double[] {4, 5, 11});
        assertFalse(HtmlReport.lineChart("t", "c", new String[] {"1", "2", "4"}, ys, "walks").contains("coincide"));
    }

    /**
     * The legend is under the plot, inside the frame, on as many rows as it needs: with every
     * registered name (long variant names among them) each entry's text ends inside the svg's width
     * (by an upper bound of its width, 7 px a character at font-size 11; BrowserTest measures the
     * rendered text), below the x axis's label and above the svg's bottom. Bar charts make room on
     * the left for the longest name.
     */
    @Test
    void legendStaysInsideTheFrame() throws Exception {
        Map<String, double[]> ys = new LinkedHashMap<>();
        Map<String, Double> bars = new LinkedHashMap<>();
        for (String d : RmapDesigns.everyName()) {
            ys.put(d, new double[] {1, 2});
            bars.put(d, 1.0);
        }
        Element s = svg(HtmlReport.lineChart("t", "children", new String[] {"1", "2"}, ys, "walks"));
        int w = Integer.parseInt(s.getAttribute("width"));
        int h = Integer.parseInt(s.getAttribute("height"));
        assertEquals(HtmlReport.W, w);
        int legends = 0;
        Set<Double> rows = new HashSet<>();
        for (Element t : all(s, "text")) {
            if (t.getAttribute("class").equals("legend")) {
                legends++;
                double x = Double.parseDouble(t.getAttribute("x"));
                double y = Double.parseDouble(t.getAttribute("y"));
                rows.add(y);
                assertTrue(x >= 0 && x + 7.0 * t.getTextContent().length() <= w, t.getTextContent() + " at " + x);
                assertTrue(y > HtmlReport.H - 14 && y <= h - 2, t.getTextContent() + " at y " + y);
            }
        }
        assertEquals(RmapDesigns.everyName().size(), legends);
        assertTrue(rows.size() >= 3, "rows: " + rows);
        for (Element t : all(svg(HtmlReport.barChart("t", bars, "walks")), "text")) {
            if (t.getAttribute("text-anchor").equals("end") && RmapDesigns.everyName().contains(t.getTextContent())) {
                assertTrue(Double.parseDouble(t.getAttribute("x")) - 7.0 * t.getTextContent().length() >= 0,
                        t.getTextContent());
            }
        }
    }
}
