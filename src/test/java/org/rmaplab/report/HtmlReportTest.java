package org.rmaplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.rmaplab.rmap.RmapDesigns;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The report is well-formed XHTML; each chart has one polyline per design, one point per swept value. */
class HtmlReportTest {

    @Test
    void wellFormedWithOneLinePerDesign() throws Exception {
        String html = HtmlReport.html();
        assertEquals(html, HtmlReport.html(), "deterministic");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        NodeList svgs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg");
        assertEquals(HtmlReport.charts().size(), svgs.getLength());
        for (int i = 0; i < svgs.getLength(); i++) {
            Element svg = (Element) svgs.item(i);
            NodeList lines = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline");
            assertEquals(RmapDesigns.names().size(), lines.getLength());
            int points = HtmlReport.charts().get(i).values().length;
            // The y axis says its unit.
            NodeList texts = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
            String unit = null;
            for (int j = 0; j < texts.getLength(); j++) {
                if (((Element) texts.item(j)).getAttribute("class").equals("y-unit")) {
                    unit = texts.item(j).getTextContent();
                }
            }
            assertEquals(List.of("vmas per walk", "KiB", "rmap operations").get(i), unit);
            for (int j = 0; j < lines.getLength(); j++) {
                String pts = ((Element) lines.item(j)).getAttribute("points");
                assertEquals(points, pts.split(" ").length, pts);
                for (String p : pts.split(" ")) {
                    String[] xy = p.split(",");
                    double x = Double.parseDouble(xy[0]);
                    double y = Double.parseDouble(xy[1]);
                    assertTrue(x >= 0 && x <= HtmlReport.W && y >= 0 && y <= HtmlReport.H, p);
                }
            }
        }
    }

    /** Bytes are shown in the unit that fits; counts get round whole ticks, means fractional ones. */
    @Test
    void unitsAndTicks() {
        assertEquals(new HtmlReport.Unit("bytes", 1, true), HtmlReport.Unit.of("bytes", 4095));
        assertEquals(new HtmlReport.Unit("KiB", 1024, false), HtmlReport.Unit.of("bytes", 4096));
        assertEquals("MiB", HtmlReport.Unit.of("bytes", 5 << 20).label());
        assertEquals("GiB", HtmlReport.Unit.of("bytes", 5L << 30).label());
        assertEquals(new HtmlReport.Unit("walks", 1, true), HtmlReport.Unit.of("walks", 7));
        assertEquals(new HtmlReport.Unit("vmas per walk", 1, false), HtmlReport.Unit.of("vmas per walk", 7));
        assertEquals(new HtmlReport.Axis(500, 5), HtmlReport.Axis.of(2500, true));
        assertEquals(new HtmlReport.Axis(500, 5), HtmlReport.Axis.of(2080, true));
        assertEquals(new HtmlReport.Axis(1, 3), HtmlReport.Axis.of(3, true));
        assertEquals(new HtmlReport.Axis(0.2, 5), HtmlReport.Axis.of(1, false));
        assertEquals(new HtmlReport.Axis(5, 4), HtmlReport.Axis.of(16.5, false));
        assertEquals(new HtmlReport.Axis(1, 1), HtmlReport.Axis.of(0, true));
        assertEquals("2.5", HtmlReport.fmt(2.5));
        assertEquals("0.33", HtmlReport.fmt(1.0 / 3));
        assertEquals("12", HtmlReport.fmt(12));
    }
}
