package dev.sharpness.trainer.training;

import dev.sharpness.api.v1alpha1.EarlyStoppingSpec;
import dev.sharpness.api.v1alpha1.EarlyStoppingSpec.Monitor;
import dev.sharpness.api.v1alpha1.TrainingSpec;

/**
 * The monitored validation metric over a run's evaluations, in order: which evaluation is the best
 * (the best model and {@code bestEpoch}), and whether {@code spec.training.earlyStopping} ends the
 * run. A pure function of the evaluated rows, so a resumed run replays its checkpoint's history and
 * counts on exactly where the interrupted run stood.
 *
 * <p>The best is the strictly best value (the first of equals); patience counts evaluations since
 * the last one that beat the reference before it by more than {@code minDelta}, as Keras's {@code
 * EarlyStopping} does.
 */
final class MetricWatch {
    private final Monitor monitor;
    private final int patience;
    private final double minDelta;
    private EpochMetrics best;
    private EpochMetrics last;
    private Double reference;
    private int sinceImprovement;

    private MetricWatch(Monitor monitor, int patience, double minDelta) {
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** Early stopping as {@code training} asks; without it, the best by validation accuracy. */
    static MetricWatch of(TrainingSpec training) {
        EarlyStoppingSpec early = training.getEarlyStopping();
        return early == null
                ? new MetricWatch(Monitor.VALIDATION_ACCURACY, Integer.MAX_VALUE, 0)
                : new MetricWatch(early.getMonitor(), early.getPatience(), early.getMinDelta());
    }

    /**
     * Takes the next evaluated row; whether it is the best so far. Rows without a validation set
     * are neither best nor counted.
     */
    boolean observe(EpochMetrics row) {
        Double value = valueOf(row);
        if (value == null) {
            return false;
        }
        last = row;
        if (reference == null || improves(value, reference, minDelta)) {
            reference = value;
            sinceImprovement = 0;
        } else {
            sinceImprovement++;
        }
        boolean isBest = best == null || improves(value, valueOf(best), 0);
        if (isBest) {
            best = row;
        }
        return isBest;
    }

    /** Whether early stopping ends the run after the last evaluation. */
    boolean ended() {
        return sinceImprovement >= patience;
    }

    /** The best evaluated row; null before a validated evaluation. */
    EpochMetrics best() {
        return best;
    }

    /** The row of the evaluation that ended the run; meaningful once {@link #ended}. */
    EpochMetrics last() {
        return last;
    }

    /** Why the run ended, for {@code summary.json} and the log; epochs count from 1. */
    String reason() {
        return "%s did not improve by more than %s for %d evaluation(s) after epoch %d (best %.6g at epoch %d)"
                .formatted(
                        name(),
                        minDelta,
                        sinceImprovement,
                        last.epoch() + 1 - sinceImprovement,
                        valueOf(best),
                        best.epoch() + 1);
    }

    private String name() {
        return monitor == Monitor.VALIDATION_LOSS ? "validationLoss" : "validationAccuracy";
    }

    private boolean improves(double value, double than, double by) {
        return monitor == Monitor.VALIDATION_LOSS ? value < than - by : value > than + by;
    }

    private Double valueOf(EpochMetrics row) {
        return monitor == Monitor.VALIDATION_LOSS ? row.validationLoss() : row.validationAccuracy();
    }
}
