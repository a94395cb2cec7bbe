package org.rmaplab.cost;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The arithmetic of {@code rmaplab bench validate} (issue 18): a workload's predicted time
 * ({@link TimeEstimate}'s est_time_ns under anon_vma_chain) against the time the real kernel took
 * for the same scenario through the harness ({@code vmsh -t}), and the relative error. The measured
 * time of one run is the sum of its timed lines' CPU time less one empty call per timed line (the
 * window's own cost); of several runs, the median.
 */
public final class Validation {
    private Validation() {}

    /** The target of issue 18: every row within 25% of the measured time. */
    public static final double TARGET = 0.25;

    /** One run through the harness: the empty call's ns, and each timed line's ns by line number. */
    public record Run(long emptyNs, Map<Integer, Long> lineNs) {
        public Run {
            lineNs = Map.copyOf(lineNs);
        }

        /** The sum of the timed lines less one empty call each. */
        public long totalNs() {
            return sum(lineNs.keySet());
        }

        /** As {@link #totalNs()} over the lines LINES only (those of one phase). */
        public long sum(Iterable<Integer> lines) {
            long t = 0;
            for (int l : lines) {
                Long ns = lineNs.get(l);
                if (ns != null) {
                    t += ns - emptyNs;
                }
            }
            return t;
        }
    }

    /** The median of VALUES (the mean of the middle two when their number is even); at least one. */
    public static double median(List<Long> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        long[] v = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }

    /** (predicted - measured) / measured: positive when the estimate is too high. */
    public static double error(double predictedNs, double measuredNs) {
        if (measuredNs <= 0) {
            throw new IllegalArgumentException("measured time must be > 0, not " + measuredNs);
        }
        return (predictedNs - measuredNs) / measuredNs;
    }

    /** Is ERROR within the target ({@link #TARGET}, inclusive)? */
    public static boolean withinTarget(double error) {
        return Math.abs(error) <= TARGET;
    }

    /** ERROR as a signed percentage with one decimal: "+12.3%", "-40.0%". */
    public static String percent(double error) {
        return String.format(Locale.ROOT, "%+.1f%%", 100 * error);
    }

    /**
     * A control's speed change beyond which {@code bench validate --recalibrate} flags a row: 10%, so
     * that a row whose machine changed speed by a good part of the 25% target while it ran says so.
     */
    public static final double SPEED_FLAG = 0.10;

    /**
     * The control loops' mean ns of one operation (calibrate.c's control: a one-page MADV_DONTNEED,
     * an anonymous write fault), taken right before or right after a row's kernel runs.
     */
    public record Control(double dontneedNs, double faultNs) {
        public Control {
            if (!(dontneedNs > 0) || !(faultNs > 0)) {
                throw new IllegalArgumentException("control times must be > 0, not " + dontneedNs + ", " + faultNs);
            }
        }
    }

    /**
     * How much slower (positive) or faster (negative) the machine ran AFTER a row than BEFORE it: of
     * the two loops' after / before - 1, the one of the larger magnitude (the first on a tie).
     * Only the control's own ratio: no price or measurement of the row enters it.
     */
    public static double speedChange(Control before, Control after) {
        double d = after.dontneedNs() / before.dontneedNs() - 1;
        double f = after.faultNs() / before.faultNs() - 1;
        return Math.abs(f) > Math.abs(d) ? f : d;
    }

    /** Did the speed change by more than {@link #SPEED_FLAG} (either way)? */
    public static boolean speedMoved(double change) {
        return Math.abs(change) > SPEED_FLAG;
    }
}
