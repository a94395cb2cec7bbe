package org.rmaplab.report;

import java.util.Locale;

import org.rmaplab.rmap.RmapDesigns;

/**
 * How a design is drawn in every chart of {@link HtmlReport} and {@link CompareReport}: its colour,
 * dash pattern and point marker, chosen by its place in the registry (unknown names after them), so
 * a design looks the same whichever designs a chart draws.
 */
final class DesignStyle {
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    /** Dash patterns, one per design in registry order (the first solid). */
    private static final String[] DASHES = {"", "8 4", "2 3", "10 3 2 3", "5 5"};

    private final int k;

    private DesignStyle(int k) {
        this.k = k;
    }

    /** DESIGN's style. */
    static DesignStyle of(String design) {
        int i = RmapDesigns.names().indexOf(design);
        return new DesignStyle(i >= 0 ? i : RmapDesigns.names().size());
    }

    String color() {
        return COLORS[k % COLORS.length];
    }

    /** An SVG stroke-dasharray, empty for a solid line. */
    String dash() {
        return DASHES[k % DASHES.length];
    }

    /** The point marker at (X, Y): circle, square, triangle, diamond or cross. */
    String marker(double x, double y) {
        String color = color();
        switch (k % 5) {
            case 0:
                return String.format(Locale.ROOT, "<circle class=\"marker\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y, color);
            case 1:
                return String.format(Locale.ROOT, "<rect class=\"marker\" x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\"/>\n",
                        x - 3, y - 3, color);
            case 2:
                return String.format(Locale.ROOT, "<polygon class=\"marker\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>\n",
                        x, y - 4, x - 4, y + 3, x + 4, y + 3, color);
            case 3:
                return String.format(Locale.ROOT, "<polygon class=\"marker\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"%s\"/>\n",
                        x, y - 5, x + 5, y, x, y + 5, x - 5, y, color);
            default:
                return String.format(Locale.ROOT, "<path class=\"marker\" d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
                        x - 4, y - 4, x + 4, y + 4, x - 4, y + 4, x + 4, y - 4, color);
        }
    }
}
