package dev.sharpness.operator.progress;

import java.time.Instant;

/**
 * One answer of rank 0's {@code GetProgress}.
 *
 * @param attempt the execution attempt whose rank 0 answered
 * @param lastCheckpointPath the newest checkpoint's file, as the trainer sees it ("" if none)
 * @param lastCheckpointTime when it was written, or null
 * @param readAt when the operator received it
 */
public record ProgressReading(
        int attempt,
        int epoch,
        long step,
        long totalSteps,
        double trainLoss,
        double trainAccuracy,
        double validationAccuracy,
        double testAccuracy,
        double stepsPerSecond,
        double exchangeMillis,
        long lastCheckpointStep,
        String lastCheckpointPath,
        Instant lastCheckpointTime,
        Instant readAt) {}
