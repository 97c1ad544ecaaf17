package dev.sharpness.operator.progress;

import dev.sharpness.trainer.exchange.proto.Progress;
import java.time.Instant;

/**
 * One answer of rank 0's {@code GetProgress}.
 *
 * @param attempt the execution attempt whose rank 0 answered
 * @param trainLoss null before the first step
 * @param trainAccuracy null before the first step
 * @param validationAccuracy null before the first evaluation, or without a validation split
 * @param testAccuracy null before the first evaluation
 * @param lastCheckpointPath the newest checkpoint's file, as the trainer sees it ("" if none)
 * @param lastCheckpointTime when it was written, or null
 * @param readAt when the operator received it
 */
public record ProgressReading(
        int attempt,
        int epoch,
        long step,
        long totalSteps,
        Double trainLoss,
        Double trainAccuracy,
        Double validationAccuracy,
        Double testAccuracy,
        double stepsPerSecond,
        double exchangeMillis,
        long lastCheckpointStep,
        String lastCheckpointPath,
        Instant lastCheckpointTime,
        Instant readAt) {

    /** Rank 0's answer, received at {@code readAt}: a measurement the trainer left out is null. */
    public static ProgressReading of(int attempt, Progress p, Instant readAt) {
        return new ProgressReading(
                attempt,
                p.getEpoch(),
                p.getStep(),
                p.getTotalSteps(),
                p.hasTrainLoss() ? p.getTrainLoss() : null,
                p.hasTrainAccuracy() ? p.getTrainAccuracy() : null,
                p.hasValidationAccuracy() ? p.getValidationAccuracy() : null,
                p.hasTestAccuracy() ? p.getTestAccuracy() : null,
                p.getStepsPerSecond(),
                p.getExchangeMillis(),
                p.getLastCheckpointStep(),
                p.getLastCheckpointPath(),
                p.getLastCheckpointUnixMillis() > 0
                        ? Instant.ofEpochMilli(p.getLastCheckpointUnixMillis())
                        : null,
                readAt);
    }
}
