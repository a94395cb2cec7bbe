package org.rmaplab.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders cost rows (same keys, in order) as an aligned table, CSV or JSON; deterministic. A value
 * {@code -} (not defined for this design or run) is JSON's {@code null}.
 */
public final class CostTable {
    private CostTable() {}

    /** Columns whose values are text, not numbers. */
    private static boolean textual(String col) {
        return col.equals("design") || col.equals("arch");
    }

    public static String csv(List<Map<String, String>> rows) {
        List<String> cols = rows.isEmpty() ? CostModel.columns() : new ArrayList<>(rows.get(0).keySet());
        StringBuilder b = new StringBuilder(String.join(",", cols)).append('\n');
        for (Map<String, String> r : rows) {
            b.append(String.join(",", cols.stream().map(r::get).toList())).append('\n');
        }
        return b.toString();
    }

    public static String table(List<Map<String, String>> rows) {
        List<String> cols = rows.isEmpty() ? CostModel.columns() : new ArrayList<>(rows.get(0).keySet());
        int[] w = new int[cols.size()];
        for (int i = 0; i < cols.size(); i++) {
            w[i] = cols.get(i).length();
            for (Map<String, String> r : rows) {
                w[i] = Math.max(w[i], r.get(cols.get(i)).length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, cols, w, cols);
        for (Map<String, String> r : rows) {
            line(b, cols, w, cols.stream().map(r::get).toList());
        }
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> cols, int[] w, List<String> vals) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < vals.size(); i++) {
            String v = vals.get(i);
            if (i > 0) {
                l.append("  ");
            }
            String pad = " ".repeat(w[i] - v.length());
            l.append(textual(cols.get(i)) ? v + pad : pad + v);
        }
        b.append(l.toString().stripTrailing()).append('\n');
    }

    public static String json(String scenario, List<Map<String, String>> rows) {
        StringBuilder b = new StringBuilder("{\n  \"scenario\": ").append(quote(scenario)).append(",\n  \"rows\": [");
        for (int i = 0; i < rows.size(); i++) {
            b.append(i == 0 ? "\n" : ",\n").append("    {");
            int j = 0;
            for (Map.Entry<String, String> e : rows.get(i).entrySet()) {
                b.append(j++ == 0 ? "" : ", ").append(quote(e.getKey())).append(": ")
                        .append(textual(e.getKey()) ? quote(e.getValue()) : e.getValue().equals("-") ? "null" : e.getValue());
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
