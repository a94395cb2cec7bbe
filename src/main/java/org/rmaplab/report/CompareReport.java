package org.rmaplab.report;

import org.rmaplab.cost.CostModel;
import static org.rmaplab.report.HtmlReport.esc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code rmaplab compare --html}: the rows of one compare run as a self-contained page. With a
 * sweep, a line chart per metric against the swept parameter (one line per design); without, a bar
 * chart per metric (one bar per design). Each chart has its numbers in a table under it, and the
 * page ends with every row and column exactly as the CSV has them. The charts are grouped under
 * headings, those that weigh the designs first ({@link #HEADLINE}), the rest under a closed "More
 * charts". Metrics zero or empty in every row, or with the same value in every row, are listed, not
 * charted. Deterministic.
 */
public final class CompareReport {
    private CompareReport() {}

    /**
     * The groups the charts are shown under, in order, each with the metrics charted in the open
     * (HEADLINE, in this order); a group's other metrics ({@link #group}) go under "More charts".
     * First what weighs one rmap design against another: the memory its metadata takes, the cost of
     * one reverse walk (its longest and its median, in vmas and ptes), the totals of walk work, and
     * the rmap operations on the fault, fork and exit paths; then failures and mremap's COWs.
     */
    static final String[] HEADINGS = {"rmap memory", "Reverse-walk cost", "rmap operations",
        "Unmap failures, mremap and vmas", "pte_chains' direct pages", "Estimated time", "Other metrics"};
    static final List<List<String>> HEADLINE = List.of(
            List.of("rmap_bytes_peak", "lowmem_bytes_peak"),
            List.of("walk_vmas_max", "walk_vmas_p50", "walk_ptes_max", "walk_ptes_p50", "walk_mms_max",
                    "walk_vmas_visited", "walk_ptes_checked"),
            List.of("rmap_ops", "fork_rmap_ops", "exit_rmap_ops"),
            List.of("unmaps_failed", "mremap_cows"),
            List.of(),
            List.of("est_time_ns", "est_fork_ns", "est_run_ns", "est_reclaim_ns", "est_exit_ns"),
            List.of());

    /**
     * The metrics {@code compare}'s table shows by default, in order: the architecture, then the
     * {@link #HEADLINE} metrics in their order, each group's total beside them (rmap_bytes, the memory
     * at the end, after its peak; walks, the number of reverse walks, before their cost).
     */
    public static final List<String> TABLE_METRICS = List.of("arch",
            "rmap_bytes_peak", "rmap_bytes", "lowmem_bytes_peak",
            "walks", "walk_vmas_max", "walk_vmas_p50", "walk_ptes_max", "walk_ptes_p50", "walk_mms_max",
            "walk_vmas_visited", "walk_ptes_checked",
            "rmap_ops", "fork_rmap_ops", "exit_rmap_ops",
            "unmaps_failed", "mremap_cows",
            "est_time_ns", "est_fork_ns", "est_run_ns", "est_reclaim_ns", "est_exit_ns");

    /** The {@link #HEADLINE} metrics, group after group, in order. */
    public static List<String> headline() {
        return HEADLINE.stream().flatMap(List::stream).toList();
    }

    /** The index in {@link #HEADINGS} of COL's group. */
    static int group(String col) {
        if (col.contains("bytes") || col.equals("lowmem_limit")) {
            return 0;
        }
        if (col.startsWith("walk")) {
            return 1;
        }
        if (col.startsWith("rmap_") || col.startsWith("fork_") || col.startsWith("exit_")) {
            return 2;
        }
        if (col.equals("unmaps_failed") || col.startsWith("mremap_") || col.startsWith("vma")) {
            return 3;
        }
        if (col.startsWith("pg_")) {
            return 4;
        }
        if (col.startsWith("est_")) {
            return 5;
        }
        return 6;
    }

    /**
     * Why COL is not charted, or null if it is: zero or empty in every row ("not counted"), one value
     * in every row, or counted (not empty) by one design only and the same at every point there.
     */
    static String notCharted(String col, List<Map<String, String>> rows) {
        if (rows.stream().map(r -> r.get(col)).allMatch(CompareReport::zeroOrEmpty)) {
            return "";
        }
        List<String> values = rows.stream().map(r -> r.get(col)).filter(v -> !v.isEmpty()).distinct().toList();
        List<String> by = rows.stream().filter(r -> !r.get(col).isEmpty()).map(r -> r.get("design")).distinct().toList();
        if (values.size() == 1 && rows.stream().noneMatch(r -> r.get(col).isEmpty())) {
            return col + " = " + values.get(0);
        }
        if (values.size() == 1 && by.size() == 1) {
            return col + " = " + values.get(0) + " (" + by.get(0) + " only; the others do not count it)";
        }
        return null;
    }

    private static boolean zeroOrEmpty(String v) {
        try {
            return v.isEmpty() || Double.parseDouble(v) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The page for ROWS (as compare prints them) of SCENARIO; SWEEP is the swept column, or null. */
    public static String html(String scenario, String sweep, List<Map<String, String>> rows) {
        List<String> cols = rows.isEmpty() ? CostModel.columns() : new ArrayList<>(rows.get(0).keySet());
        List<String> designs = new ArrayList<>();
        List<String> xs = new ArrayList<>();
        for (Map<String, String> r : rows) {
            if (!designs.contains(r.get("design"))) {
                designs.add(r.get("design"));
            }
            if (sweep != null && !xs.contains(r.get(sweep))) {
                xs.add(r.get(sweep));
            }
        }
        if (xs.stream().allMatch(x -> x.matches("-?\\d+"))) {
            // --sweep children=32,1,8: charted (and tabled per chart) in ascending order, placed by value.
            xs.sort(java.util.Comparator.comparingLong(Long::parseLong));
        }
        List<String> zero = new ArrayList<>();
        List<String> constant = new ArrayList<>();
        List<List<String>> open = new ArrayList<>();
        List<List<String>> more = new ArrayList<>();
        for (int g = 0; g < HEADINGS.length; g++) {
            open.add(new ArrayList<>(HEADLINE.get(g)));
            more.add(new ArrayList<>());
        }
        for (String col : cols) {
            if (col.equals("design") || col.equals("arch") || col.equals("calibration") || col.equals(sweep)) {
                continue;
            }
            String why = rows.isEmpty() ? "" : notCharted(col, rows);
            if (why != null) {
                (why.isEmpty() ? zero : constant).add(why.isEmpty() ? col : why);
                open.forEach(o -> o.remove(col));
            } else if (!HEADLINE.get(group(col)).contains(col)) {
                more.get(group(col)).add(col);
            }
        }
        open.forEach(o -> o.retainAll(cols));
        StringBuilder body = new StringBuilder();
        for (int g = 0; g < HEADINGS.length; g++) {
            if (!open.get(g).isEmpty()) {
                body.append("<h2>").append(esc(HEADINGS[g])).append("</h2>\n");
                figures(body, open.get(g), rows, designs, sweep, xs);
            }
        }
        int hidden = more.stream().mapToInt(List::size).sum();
        if (hidden > 0) {
            body.append("<details>\n<summary>More charts (").append(hidden).append(")</summary>\n");
            for (int g = 0; g < HEADINGS.length; g++) {
                if (!more.get(g).isEmpty()) {
                    body.append("<h3>").append(esc(HEADINGS[g])).append("</h3>\n");
                    figures(body, more.get(g), rows, designs, sweep, xs);
                }
            }
            body.append("</details>\n");
        }
        notCharted(body, zero, constant);
        body.append("<h2>All rows</h2>\n<p>As <code>--format csv</code> prints them.</p>\n<div class=\"scroll\">\n")
                .append(dataTable(cols, rows)).append("</div>\n");
        return HtmlReport.page("rmaplab compare: " + scenario, intro(scenario, sweep, rows), body);
    }

    /** A figure per metric of COLS: a line chart against the SWEEP values XS, or without a sweep a bar chart. */
    private static void figures(StringBuilder body, List<String> cols, List<Map<String, String>> rows,
                                List<String> designs, String sweep, List<String> xs) {
        for (String col : cols) {
            body.append("<figure>\n<figcaption>").append(esc(col)).append("</figcaption>\n");
            if (sweep != null) {
                lineFigure(body, rows, designs, sweep, xs, col);
            } else {
                barFigure(body, rows, designs, col);
            }
            body.append("</figure>\n");
        }
    }

    /** The paragraphs listing the metrics not charted: ZERO (names) and CONSTANT (with their values). */
    private static void notCharted(StringBuilder body, List<String> zero, List<String> constant) {
        if (!zero.isEmpty()) {
            body.append("<p class=\"not-counted\">Zero or not counted in every row (not charted): ")
                    .append(esc(String.join(", ", zero))).append(".</p>\n");
        }
        if (!constant.isEmpty()) {
            body.append("<p class=\"constant\">The same in every row (not charted): ")
                    .append(esc(String.join(", ", constant))).append(".</p>\n");
        }
    }

    /** The page's introduction: what ran, how the charts are ordered and drawn. */
    private static String intro(String scenario, String sweep, List<Map<String, String>> rows) {
        String arch = rows.isEmpty() ? "" : rows.get(0).get("arch");
        return "Generated by <code>rmaplab compare</code> from <code>" + esc(scenario) + "</code> on "
                + esc(arch) + (sweep == null ? ": one bar per design." : ", swept over <code>" + esc(sweep)
                + "</code>: one line per design, the swept values placed by value on the scale the x axis names"
                + " (linear unless the values crowd, then log2).")
                + " First the charts that weigh one rmap design against another: rmap memory, the cost of one"
                + " reverse walk (its longest and its median, in vmas and in ptes; p90 and p99 are under"
                + " <i>More charts</i>) and the walks' total work, rmap operations; then unmap failures and"
                + " mremap's COWs. Every other metric's chart is under <i>More charts</i> (closed; open it to"
                + " see them). Metrics that are zero or empty in every row, or the same in every row, are"
                + " listed, not charted. Shares are shown from 0 to 100%. Each design has its own colour, dash"
                + " and marker; where designs are equal the chart says so under its legend."
                + " Byte counts are shown in KiB or MiB (1024-based) where they are large; the tables give them exactly."
                + calibrationNote(rows);
    }

    /** The intro's sentence naming the calibration that priced the est_*_ns charts. */
    private static String calibrationNote(List<Map<String, String>> rows) {
        String c = rows.isEmpty() ? null : rows.get(0).get("calibration");
        if (c == null || c.isEmpty()) {
            return "";
        }
        return " The <i>Estimated time</i> charts (est_*_ns: each counted primitive times its price in ns,"
                + " summed by phase) are priced by the calibration <code>" + esc(c) + "</code>"
                + (c.startsWith("reference") ? " shipped with rmaplab (<code>rmaplab calibrate</code> measures this"
                + " machine's)." : ".");
    }

    /** COL against the SWEEP values XS: a line chart, one line per design with a value, and its table. */
    private static void lineFigure(StringBuilder body, List<Map<String, String>> rows, List<String> designs,
                                   String sweep, List<String> xs, String col) {
        Map<String, double[]> ys = new LinkedHashMap<>();
        Map<String, String[]> cells = new LinkedHashMap<>();
        for (String d : designs) {
            double[] y = new double[xs.size()];
            String[] c = new String[xs.size()];
            for (int i = 0; i < xs.size(); i++) {
                String v = value(rows, d, sweep, xs.get(i), col);
                c[i] = v;
                y[i] = v.isEmpty() ? Double.NaN : Double.parseDouble(v);
            }
            if (!allNaN(y)) {
                ys.put(d, y);
                cells.put(d, c);
            }
        }
        String[] xa = xs.toArray(new String[0]);
        body.append(HtmlReport.lineChart(col, sweep, xa, ys, unit(col)));
        body.append("<div class=\"scroll\">\n").append(HtmlReport.seriesTable(sweep, xa, cells, "metric"))
                .append("</div>\n");
    }

    /** COL without a sweep: a bar chart, one bar per design, and its table. */
    private static void barFigure(StringBuilder body, List<Map<String, String>> rows, List<String> designs,
                                  String col) {
        Map<String, Double> bars = new LinkedHashMap<>();
        Map<String, String[]> cells = new LinkedHashMap<>();
        for (String d : designs) {
            String v = value(rows, d, null, null, col);
            bars.put(d, v.isEmpty() ? Double.NaN : Double.parseDouble(v));
            cells.put(d, new String[] {v});
        }
        body.append(HtmlReport.barChart(col, bars, unit(col)));
        body.append("<div class=\"scroll\">\n").append(HtmlReport.seriesTable("", new String[] {col}, cells, "metric"))
                .append("</div>\n");
    }

    /** The table of every row and column, with id "data". */
    static String dataTable(List<String> cols, List<Map<String, String>> rows) {
        StringBuilder b = new StringBuilder("<table id=\"data\">\n<tr>");
        cols.forEach(c -> b.append("<th>").append(esc(c)).append("</th>"));
        b.append("</tr>\n");
        for (Map<String, String> r : rows) {
            b.append("<tr>");
            cols.forEach(c -> b.append("<td>").append(esc(r.get(c))).append("</td>"));
            b.append("</tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    private static String value(List<Map<String, String>> rows, String design, String sweep, String x, String col) {
        for (Map<String, String> r : rows) {
            if (r.get("design").equals(design) && (sweep == null || r.get(sweep).equals(x))) {
                return r.get(col);
            }
        }
        return "";
    }

    private static boolean allNaN(double[] y) {
        for (double v : y) {
            if (!Double.isNaN(v)) {
                return false;
            }
        }
        return true;
    }

    /** The unit of a compare column, for its chart's value axis (see HtmlReport.Unit). */
    static String unit(String col) {
        if (col.endsWith("_share")) {
            return "share";
        }
        if (col.contains("bytes") || col.equals("lowmem_limit")) {
            return "bytes";
        }
        if (col.startsWith("est_") && col.endsWith("_ns")) {
            return "ns (estimated)";
        }
        if (col.startsWith("walk_vmas_p") || col.equals("walk_vmas_max")) {
            return "vmas per walk";
        }
        if (col.startsWith("walk_ptes_p") || col.equals("walk_ptes_max")) {
            return "ptes per walk";
        }
        if (col.startsWith("walk_mms_p") || col.equals("walk_mms_max")) {
            return "mms per walk";
        }
        return switch (col) {
            case "walks" -> "walks";
            case "walk_vmas_visited" -> "vmas visited";
            case "walk_ptes_checked" -> "ptes checked";
            case "rmap_ops" -> "rmap operations";
            case "mremap_cows" -> "pages COWed by mremap";
            case "vmas_peak" -> "vmas";
            case "mms_peak" -> "mms";
            default -> col.contains("pages") || col.endsWith("_peak") || col.contains("cow") ? "pages"
                    : col.contains("ptes") ? "ptes" : "count";
        };
    }
}
