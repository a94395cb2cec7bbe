package org.rmaplab.report;

import java.util.Locale;

import org.rmaplab.rmap.RmapDesigns;

/**
 * How a design is drawn in every chart of {@link HtmlReport} and {@link CompareReport}: its colour,
 * dash pattern and point marker, chosen by its place in the registry (the five designs, then the
 * variants; unknown names after them), so a design looks the same whichever designs a chart draws.
 * The first six places differ in all three and the first ten in colour; dash repeats with period
 * six, the marker shifts by one each round of six, so the first 36 places differ in their dash and
 * marker.
 */
final class DesignStyle {
    /** Colours, one per place modulo ten: the five designs' first, then the variants'. */
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf"};

    /** Dash patterns, one per place modulo six (the first solid). */
    static final String[] DASHES = {"", "8 4", "2 3", "10 3 2 3", "5 5", "12 3 3 3 3 3"};

    /** Marker shapes, in {@link #marker}'s order. */
    static final String[] MARKERS = {"circle", "square", "triangle", "diamond", "cross", "plus"};

    private final int k;

    private DesignStyle(int k) {
        this.k = k;
    }

    /** DESIGN's style. */
    static DesignStyle of(String design) {
        int i = RmapDesigns.everyName().indexOf(design);
        return new DesignStyle(i >= 0 ? i : RmapDesigns.everyName().size());
    }

    String color() {
        return COLORS[k % COLORS.length];
    }

    /** An SVG stroke-dasharray, empty for a solid line. */
    String dash() {
        return DASHES[k % DASHES.length];
    }

    /** The marker's shape: one of {@link #MARKERS}. */
    String shape() {
        return MARKERS[(k + k / MARKERS.length) % MARKERS.length];
    }

    /**
     * The point marker at (X, Y), drawn as an outline (no fill), so that markers of designs with
     * equal values, drawn at the same point, show through each other: circle, square, triangle,
     * diamond, cross or plus.
     */
    String marker(double x, double y) {
        String head = "<path class=\"marker\" data-shape=\"" + shape() + "\" fill=\"none\" stroke=\"" + color()
                + "\" stroke-width=\"1.5\" ";
        return switch (shape()) {
            case "circle" -> String.format(Locale.ROOT,
                    "<circle class=\"marker\" data-shape=\"circle\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"none\" "
                            + "stroke=\"%s\" stroke-width=\"1.5\"/>\n", x, y, color());
            case "square" -> head + String.format(Locale.ROOT, "d=\"M%.1f %.1fh9v9h-9z\"/>\n", x - 4.5, y - 4.5);
            case "triangle" -> head + String.format(Locale.ROOT, "d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fz\"/>\n",
                    x, y - 6, x - 5.5, y + 4, x + 5.5, y + 4);
            case "diamond" -> head + String.format(Locale.ROOT, "d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fz\"/>\n",
                    x, y - 6.5, x + 6.5, y, x, y + 6.5, x - 6.5, y);
            case "cross" -> head + String.format(Locale.ROOT, "d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\"/>\n",
                    x - 5, y - 5, x + 5, y + 5, x - 5, y + 5, x + 5, y - 5);
            default -> head + String.format(Locale.ROOT, "d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1f\"/>\n",
                    x - 7, y, x + 7, x, y - 7, y + 7);
        };
    }
}
