package dev.sharpness.trainer.training;

/**
 * Early stopping ended the run: after the evaluation of {@code epoch} (counted from 1, as {@code
 * metrics.csv} counts), and why. Written in {@code summary.json}.
 */
public record EarlyStop(int epoch, String reason) {
    /** From the watch that ended the run; on rank 1 of a pair, which follows rank 0's decision. */
    static EarlyStop of(MetricWatch watch, boolean decided) {
        if (!decided || watch.last() == null) {
            return new EarlyStop(0, "rank 0 ended the run early");
        }
        return new EarlyStop(watch.last().epoch() + 1, watch.reason());
    }
}
