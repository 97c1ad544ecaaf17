package dev.sharpness.trainer.training;

/**
 * One row of {@code metrics.csv}: the state of the run at the end of an epoch (or where {@code
 * maxSteps} stopped it). Validation fields are null when the job holds out no validation set.
 */
public record EpochMetrics(
        int epoch,
        long step,
        double learningRate,
        double trainLoss,
        double trainAccuracy,
        Double validationLoss,
        Double validationAccuracy,
        double testLoss,
        double testAccuracy,
        long sequentialGradients,
        double wallSeconds) {}
