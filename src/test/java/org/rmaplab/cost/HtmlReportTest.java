package org.rmaplab.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

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
            for (int j = 0; j < lines.getLength(); j++) {
                String pts = ((Element) lines.item(j)).getAttribute("points");
                assertEquals(points, pts.split(" ").length, pts);
                for (String p : pts.split(" ")) {
                    String[] xy = p.split(",");
                    double x = Double.parseDouble(xy[0]);
                    double y = Double.parseDouble(xy[1]);
                    assertTrue(x >= 0 && x <= 640 && y >= 0 && y <= 320, p);
                }
            }
        }
    }
}
