package org.rmaplab.traces;

import java.util.Map;
import java.util.TreeMap;

import org.rmaplab.traces.StraceParser.Call;

/**
 * The scenario as it is written: its lines, the comments that say what of the trace was skipped
 * ({@code # trace:LINE NAME: why}), the counts of what went into it (the header's map,
 * {@link TraceConverter.Result#counts}), and how addresses, lengths and protections are spelled
 * in the scenario language.
 */
final class ScenarioWriter {
    private final StringBuilder out = new StringBuilder();
    private final Map<String, Integer> counts = new TreeMap<>();

    void emit(String line) {
        out.append(line).append('\n');
    }

    /** {@code # trace:LINE NAME: WHAT}, counted as skipped. */
    void comment(Call c, String what) {
        out.append("# trace:").append(c.line()).append(' ').append(c.name()).append(": ").append(what).append('\n');
        count("skipped");
    }

    void count(String k) {
        counts.merge(k, 1, Integer::sum);
    }

    void add(String k, int n) {
        counts.merge(k, n, Integer::sum);
    }

    /** The lines written so far. */
    String text() {
        return out.toString();
    }

    /** The counts, in name order. */
    Map<String, Integer> counts() {
        return counts;
    }

    /** ADDR relative to ANCHOR, which stands for model address BASE: {@code M3}, {@code M3+5p}, {@code H1-2p+16}. */
    static String rel(String anchor, long base, long addr) {
        long off = addr - base;
        if (off == 0) {
            return anchor;
        }
        String sign = off < 0 ? "-" : "+";
        long m = Math.abs(off);
        StringBuilder b = new StringBuilder(anchor);
        if (m / Layout.PAGE != 0) {
            b.append(sign).append(m / Layout.PAGE).append('p');
        }
        if (m % Layout.PAGE != 0) {
            b.append(sign).append(m % Layout.PAGE);
        }
        return b.toString();
    }

    /** A length: in pages ({@code 5p}) when it is a whole number of them, else in bytes. */
    static String len(long l) {
        return l != 0 && l % Layout.PAGE == 0 ? (l / Layout.PAGE) + "p" : Long.toString(l);
    }

    /** A protection (PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4): {@code none}, {@code r}, {@code rw}, {@code rx}... */
    static String protText(int p) {
        if (p == 0) {
            return "none";
        }
        return ((p & 1) != 0 ? "r" : "") + ((p & 2) != 0 ? "w" : "") + ((p & 4) != 0 ? "x" : "");
    }
}
