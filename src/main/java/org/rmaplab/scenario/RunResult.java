package org.rmaplab.scenario;

import java.util.List;

/**
 * The outcome of one scenario under one design.
 *
 * @param file       the scenario's file name
 * @param design     the design it ran under
 * @param statements how many operation lines the scenario has
 * @param failures   failed expectations and invariant violations, in line order
 * @param outcomes   the actual result of every line that ran, in canonical form
 */
public record RunResult(String file, String design, int statements, List<Failure> failures,
                        List<LineOutcome> outcomes) {

    public RunResult {
        failures = List.copyOf(failures);
        outcomes = List.copyOf(outcomes);
    }

    public boolean passed() {
        return failures.isEmpty();
    }

    /** Whether a failure is an invariant violation (the run stopped there). */
    public boolean invariantViolated() {
        return failures.stream().anyMatch(Failure::invariant);
    }

    /** {@code PASS FILE [design] (N lines)} or one {@code FILE:LINE: [design] ...} line per failure. */
    public List<String> report() {
        if (passed()) {
            return List.of("PASS " + file + " [" + design + "] (" + statements + " lines)");
        }
        return failures.stream().map(f -> f.format(file, design)).toList();
    }

    /**
     * A failed expectation ({@code expected X, got Y}) or an invariant violation
     * ({@code invariant violated: MESSAGE}).
     */
    public record Failure(int line, String message, boolean invariant) {
        public String format(String file, String design) {
            return file + ":" + line + ": [" + design + "] " + message;
        }
    }

    /**
     * The actual result of one line, canonical so that runs (and the real kernel) compare as text:
     * addresses and read values in hex ({@code 0x7f0000000000}), errno names, {@code SEGV},
     * {@code BUS}, {@code MIXED}, statuses and counts in decimal, {@code ok} for a new task or a
     * check, vma as {@code 0xSTART..0xEND perms} or {@code none}. TEXT is what the line printed
     * besides (maps: the lines of /proc/PID/maps, each without its newline), empty for the others.
     */
    public record LineOutcome(int line, String actual, List<String> text) {
        public LineOutcome {
            text = List.copyOf(text);
        }

        /** A line that printed nothing besides its result. */
        public LineOutcome(int line, String actual) {
            this(line, actual, List.of());
        }
    }
}
