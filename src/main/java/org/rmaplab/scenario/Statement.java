package org.rmaplab.scenario;

import java.util.List;
import java.util.Map;

import org.rmaplab.rmap.RmapDesigns;

/**
 * One line of a scenario.
 *
 * @param line     1-based line number in the file
 * @param text     the line as written, without its comment and surrounding blanks
 * @param task     the task name, or null for a global operation
 * @param op       the operation
 * @param args     its arguments, in order (kinds as {@link Op#kind})
 * @param as       the name bound by {@code as NAME}, or null
 * @param expect   the unscoped expectation, or null
 * @param scoped   expectations scoped by {@code expect:NAMES}, by design name (insertion order)
 */
public record Statement(int line, String text, String task, Op op, List<Arg> args, String as,
                        Expectation expect, Map<String, Expectation> scoped) {

    public Statement {
        args = List.copyOf(args);
        scoped = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scoped));
    }

    /**
     * The expectation that applies to DESIGN: its scoped one if any — for a variant
     * (DESIGN:VARIANT) its own scope first, then its design's, as it runs as its design — else
     * the unscoped one, else null.
     */
    public Expectation expectationFor(String design) {
        Expectation e = scoped.get(design);
        if (e == null) {
            e = scoped.get(RmapDesigns.designOf(design));
        }
        return e != null ? e : expect;
    }

    public Arg arg(int i) {
        return args.get(i);
    }
}
