package org.rmaplab.cost;

import java.util.Arrays;

/**
 * A least-squares line y = intercept + slope * x through measured points, with its residuals: how
 * {@code rmaplab calibrate} turns a series of timings at several sizes into the cost of one more
 * page, vma or process (the slope) and the fixed cost of the operation (the intercept).
 * Ordinary least squares, closed form: slope = Sxy / Sxx over the centred points.
 */
public record LineFit(double intercept, double slope, double[] x, double[] y) {

    public LineFit {
        x = x.clone();
        y = y.clone();
    }

    /** The least-squares line through (X[i], Y[i]); IllegalArgumentException unless 2+ points at 2+ distinct X. */
    public static LineFit of(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("a line needs two points or more, not " + Math.min(x.length, y.length));
        }
        double mx = Arrays.stream(x).average().orElseThrow();
        double my = Arrays.stream(y).average().orElseThrow();
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < x.length; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        if (sxx == 0) {
            throw new IllegalArgumentException("a line needs two distinct sizes");
        }
        double slope = sxy / sxx;
        return new LineFit(my - slope * mx, slope, x, y);
    }

    /** The line at X. */
    public double at(double x) {
        return intercept + slope * x;
    }

    /** Measured minus fitted, point by point. */
    public double[] residuals() {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = y[i] - at(x[i]);
        }
        return r;
    }

    /** The root mean square of the residuals. */
    public double rms() {
        double s = 0;
        for (double r : residuals()) {
            s += r * r;
        }
        return Math.sqrt(s / x.length);
    }

    /** The largest |residual| relative to its measured value (0 when every y is 0). */
    public double worstRelative() {
        double w = 0;
        double[] r = residuals();
        for (int i = 0; i < r.length; i++) {
            if (y[i] != 0) {
                w = Math.max(w, Math.abs(r[i] / y[i]));
            }
        }
        return w;
    }
}
