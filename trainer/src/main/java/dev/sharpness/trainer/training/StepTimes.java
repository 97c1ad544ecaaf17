package dev.sharpness.trainer.training;

import java.util.Arrays;

/** The wall times of a run's most recent steps, for a median that warm-up does not skew. */
final class StepTimes {
    static final int WINDOW = 1024;

    private final long[] recent = new long[WINDOW];
    private long count;

    void add(long nanos) {
        recent[(int) (count % WINDOW)] = nanos;
        count++;
    }

    /** The median of the recorded steps in milliseconds; NaN before the first. */
    double medianMillis() {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(recent, (int) Math.min(count, WINDOW));
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        return median / 1e6;
    }
}
