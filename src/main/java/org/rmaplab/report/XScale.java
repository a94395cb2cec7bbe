package org.rmaplab.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a line chart puts its x values (a swept parameter's values) and which scale it says it
 * uses. Numeric values in ascending order are placed by value: on a linear scale (from 0 when the
 * smallest value is nearer 0 than the largest) when no two are closer than 1/40 of the axis, else on
 * a log2 scale when all are positive (1 to 1024, say); otherwise, and for values that are not
 * numbers, evenly spaced and "not to scale". A linear scale is the default because it shows a linear
 * cost as a straight line: evenly spaced powers of two make it look exponential.
 *
 * @param kind   "linear scale", "log2 scale", "not to scale", or "" (not numbers)
 * @param at     each value's place along the axis, 0 to 1
 * @param ticks  the labelled ticks' places, 0 to 1
 * @param labels the labelled ticks' labels
 */
record XScale(String kind, double[] at, double[] ticks, String[] labels) {
    /** Closest two values may come on a linear scale, as a fraction of the axis. */
    static final double MIN_GAP = 1.0 / 40;

    static XScale of(String[] xs) {
        int n = xs.length;
        double[] v = numbers(xs);
        if (v == null || n < 2) {
            return even(xs, "");
        }
        double lo = v[0];
        double hi = v[n - 1];
        double gap = Double.MAX_VALUE;
        for (int i = 1; i < n; i++) {
            gap = Math.min(gap, v[i] - v[i - 1]);
        }
        if (gap <= 0) {
            return even(xs, "not to scale");
        }
        double start = lo >= 0 && lo < hi - lo ? 0 : lo;
        if (gap / (hi - start) >= MIN_GAP) {
            return linear(v, start, hi);
        }
        if (lo > 0) {
            return log2(v, lo, hi);
        }
        return even(xs, "not to scale");
    }

    /** XS as numbers, or null if one is not a number. */
    private static double[] numbers(String[] xs) {
        double[] v = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            try {
                v[i] = Double.parseDouble(xs[i]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (!Double.isFinite(v[i])) {
                return null;
            }
        }
        return v;
    }

    /** Evenly spaced, each value its own label. */
    private static XScale even(String[] xs, String kind) {
        int n = xs.length;
        double[] at = new double[n];
        for (int i = 0; i < n; i++) {
            at[i] = n == 1 ? 0.5 : (double) i / (n - 1);
        }
        return new XScale(kind, at, at.clone(), xs.clone());
    }

    /** V by value from START to HI, ticks at round steps (1, 2 or 5 times a power of ten). */
    private static XScale linear(double[] v, double start, double hi) {
        double[] at = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            at[i] = (v[i] - start) / (hi - start);
        }
        double step = HtmlReport.Axis.of(hi - start, true).step();
        List<Double> t = new ArrayList<>();
        for (double x = Math.ceil(start / step) * step; x <= hi + 1e-9; x += step) {
            t.add(x);
        }
        double[] ticks = new double[t.size()];
        String[] labels = new String[t.size()];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = (t.get(i) - start) / (hi - start);
            labels[i] = HtmlReport.fmt(t.get(i));
        }
        return new XScale("linear scale", at, ticks, labels);
    }

    /** V by log2 from LO to HI, ticks at the powers of two between (every other one, or fewer, if many). */
    private static XScale log2(double[] v, double lo, double hi) {
        double l0 = Math.log(lo) / Math.log(2);
        double span = Math.log(hi) / Math.log(2) - l0;
        double[] at = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            at[i] = (Math.log(v[i]) / Math.log(2) - l0) / span;
        }
        int first = (int) Math.ceil(l0 - 1e-9);
        int last = (int) Math.floor(l0 + span + 1e-9);
        int every = Math.max(1, (last - first) / 10 + 1);
        List<Integer> k = new ArrayList<>();
        for (int e = first; e <= last; e += every) {
            k.add(e);
        }
        double[] ticks = new double[k.size()];
        String[] labels = new String[k.size()];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = (k.get(i) - l0) / span;
            labels[i] = HtmlReport.fmt(Math.pow(2, k.get(i)));
        }
        return new XScale("log2 scale", at, ticks, labels);
    }

    /** The axis label: XLABEL and the scale. */
    String label(String xLabel) {
        return kind.isEmpty() ? xLabel : xLabel + " (" + kind + ")";
    }
}
