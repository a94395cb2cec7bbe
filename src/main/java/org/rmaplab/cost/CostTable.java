package org.rmaplab.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders cost rows (same keys, in order) as an aligned table, CSV or JSON; deterministic. An empty
 * value (a quantity the design does not count) is an empty CSV field, JSON null and "-" in the table.
 */
public final class CostTable {
    private CostTable() {}

    /** Columns whose values are text, not numbers. */
    private static boolean textual(String col) {
        return col.equals("design") || col.equals("arch") || col.equals("calibration");
    }

    public static String csv(List<Map<String, String>> rows) {
        List<String> cols = rows.isEmpty() ? CostModel.columns() : new ArrayList<>(rows.get(0).keySet());
        StringBuilder b = new StringBuilder(String.join(",", cols)).append('\n');
        for (Map<String, String> r : rows) {
            b.append(String.join(",", cols.stream().map(r::get).toList())).append('\n');
        }
        return b.toString();
    }

    /** The widest line {@link #table(List, List, String)} writes while it can (a terminal's 100 columns). */
    public static final int WIDTH = 100;

    /**
     * The terminal view of ROWS: the METRICS as rows, the designs (in the rows' order) as columns. With
     * SWEEP (the swept column, or null) each metric has one line per swept value, in the rows' order,
     * the value in a second column, and the metric's name repeated on every line (so grep finds them all).
     * Designs are set side by side while a line stays within {@link #WIDTH} characters; the others go
     * to further blocks, each with its own header, a blank line between blocks. Numbers and text are
     * right-aligned under their design; an empty value is "-".
     */
    public static String table(List<Map<String, String>> rows, List<String> metrics, String sweep) {
        List<String> designs = new ArrayList<>();
        List<String> points = new ArrayList<>();
        Map<String, Map<String, String>> byKey = new java.util.HashMap<>();
        for (Map<String, String> r : rows) {
            String d = r.get("design");
            String x = sweep == null ? "" : r.get(sweep);
            if (!designs.contains(d)) {
                designs.add(d);
            }
            if (!points.contains(x)) {
                points.add(x);
            }
            byKey.put(d + "\n" + x, r);
        }
        int first = "metric".length();
        for (String m : metrics) {
            first = Math.max(first, m.length());
        }
        int second = sweep == null ? 0 : sweep.length();
        for (String x : points) {
            second = Math.max(second, x.length());
        }
        int[] w = new int[designs.size()];
        for (int i = 0; i < designs.size(); i++) {
            w[i] = designs.get(i).length();
            for (String m : metrics) {
                for (String x : points) {
                    w[i] = Math.max(w[i], cell(byKey.get(designs.get(i) + "\n" + x), m).length());
                }
            }
        }
        StringBuilder b = new StringBuilder();
        int lead = first + (sweep == null ? 0 : 2 + second);
        for (int from = 0; from < designs.size(); ) {
            int to = from + 1;
            int width = lead + 2 + w[from];
            while (to < designs.size() && width + 2 + w[to] <= WIDTH) {
                width += 2 + w[to++];
            }
            if (from > 0) {
                b.append('\n');
            }
            block(b, designs.subList(from, to), java.util.Arrays.copyOfRange(w, from, to), metrics, sweep, points,
                    byKey, first, second);
            from = to;
        }
        return b.toString();
    }

    /** One block of {@link #table(List, List, String)}: a header naming DESIGNS, then a line per metric and point. */
    private static void block(StringBuilder b, List<String> designs, int[] w, List<String> metrics, String sweep,
                              List<String> points, Map<String, Map<String, String>> byKey, int first, int second) {
        StringBuilder h = new StringBuilder(pad("metric", first, false));
        if (sweep != null) {
            h.append("  ").append(pad(sweep, second, true));
        }
        for (int i = 0; i < designs.size(); i++) {
            h.append("  ").append(pad(designs.get(i), w[i], true));
        }
        b.append(h).append('\n');
        for (String m : metrics) {
            for (String x : points) {
                StringBuilder l = new StringBuilder(pad(m, first, false));
                if (sweep != null) {
                    l.append("  ").append(pad(x, second, true));
                }
                for (int i = 0; i < designs.size(); i++) {
                    l.append("  ").append(pad(cell(byKey.get(designs.get(i) + "\n" + x), m), w[i], true));
                }
                b.append(l).append('\n');
            }
        }
    }

    /** ROW's value of METRIC as the table shows it: "-" when empty or when no run gave the row. */
    private static String cell(Map<String, String> row, String metric) {
        String v = row == null ? null : row.get(metric);
        return v == null || v.isEmpty() ? "-" : v;
    }

    private static String pad(String v, int width, boolean right) {
        String p = " ".repeat(width - v.length());
        return right ? p + v : v + p;
    }

    public static String json(String scenario, List<Map<String, String>> rows) {
        return json(scenario, null, Map.of(), null, List.of(), null, rows);
    }

    /**
     * The JSON of ROWS; when WORKLOAD (a workload's name) is not null, it and its PARAMS (every
     * parameter but the swept one, defaults filled in) follow "scenario", then, with a SWEEP, the swept
     * parameter and its VALUES in run order; then, when CALIBRATION (its label) is not null, the
     * calibration that priced the est_*_ns columns.
     */
    public static String json(String scenario, String workload, Map<String, Long> params, String sweep,
                              List<Long> values, String calibration, List<Map<String, String>> rows) {
        StringBuilder b = new StringBuilder("{\n  \"scenario\": ").append(quote(scenario));
        if (workload != null) {
            b.append(",\n  \"workload\": ").append(quote(workload)).append(",\n  \"params\": {");
            int j = 0;
            for (Map.Entry<String, Long> e : params.entrySet()) {
                b.append(j++ == 0 ? "" : ", ").append(quote(e.getKey())).append(": ").append(e.getValue());
            }
            b.append('}');
            if (sweep != null) {
                b.append(",\n  \"sweep\": {\"param\": ").append(quote(sweep)).append(", \"values\": [")
                        .append(String.join(", ", values.stream().map(String::valueOf).toList())).append("]}");
            }
        }
        if (calibration != null) {
            b.append(",\n  \"calibration\": ").append(quote(calibration));
        }
        b.append(",\n  \"rows\": [");
        for (int i = 0; i < rows.size(); i++) {
            b.append(i == 0 ? "\n" : ",\n").append("    {");
            int j = 0;
            for (Map.Entry<String, String> e : rows.get(i).entrySet()) {
                b.append(j++ == 0 ? "" : ", ").append(quote(e.getKey())).append(": ")
                        .append(textual(e.getKey()) ? quote(e.getValue())
                                : e.getValue().isEmpty() ? "null" : e.getValue());
            }
            b.append('}');
        }
        return b.append(rows.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
