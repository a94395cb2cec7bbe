package org.rmaplab.traces;

import java.util.Map;
import java.util.TreeMap;

import org.rmaplab.scenario.ScenarioText;
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
        return anchor + ScenarioText.offset(addr - base);
    }
}
