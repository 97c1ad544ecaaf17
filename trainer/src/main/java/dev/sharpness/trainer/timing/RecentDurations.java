package dev.sharpness.trainer.timing;

import java.util.Arrays;

/**
 * The durations of the most recent repetitions of something (steps, swaps), for medians and
 * percentiles that the first, warm-up repetitions do not skew. Not thread-safe.
 */
public final class RecentDurations {
    /** How many of the latest durations are kept. */
    public static final int WINDOW = 1024;

    private final long[] nanos = new long[WINDOW];
    private long count;

    public void add(long durationNanos) {
        nanos[(int) (count % WINDOW)] = durationNanos;
        count++;
    }

    /** The median of the kept durations in milliseconds; NaN before the first. */
    public double medianMillis() {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = sorted();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        return median / 1e6;
    }

    /** The nearest-rank {@code quantile} (in (0, 1]) in milliseconds; NaN before the first. */
    public double percentileMillis(double quantile) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = sorted();
        return sorted[(int) Math.ceil(quantile * sorted.length) - 1] / 1e6;
    }

    private long[] sorted() {
        long[] kept = Arrays.copyOf(nanos, (int) Math.min(count, WINDOW));
        Arrays.sort(kept);
        return kept;
    }
}
