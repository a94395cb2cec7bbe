package org.rmaplab.traces;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

import org.rmaplab.scenario.ScenarioText;
import org.rmaplab.traces.StraceParser.Call;

/**
 * The scenario as it is written: its lines, the comments that say what of the trace was skipped
 * ({@code # trace:LINE NAME: why}), the counts of what went into it (the header's map,
 * {@link TraceConverter.Result#counts}), and how addresses, lengths and protections are spelled
 * in the scenario language. The lines go to an {@link Appendable} as they are written (a
 * StringBuilder, or a file for a trace of millions of events), so the scenario is never held whole;
 * the header, whose counts are known only at the end, is written before them by the caller
 * ({@link TraceConverter}).
 */
final class ScenarioWriter {
    private final Appendable out;
    private final Map<String, Integer> counts = new TreeMap<>();

    ScenarioWriter(Appendable out) {
        this.out = out;
    }

    void emit(String line) {
        try {
            out.append(line).append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code # trace:LINE NAME: WHAT}, counted as skipped. */
    void comment(Call c, String what) {
        emit("# trace:" + c.line() + ' ' + c.name() + ": " + what);
        count("skipped");
    }

    void count(String k) {
        counts.merge(k, 1, Integer::sum);
    }

    void add(String k, int n) {
        counts.merge(k, n, Integer::sum);
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
