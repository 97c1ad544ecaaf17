package dev.sharpness.operator.progress;

import dev.sharpness.api.worker.ProgressReport;
import dev.sharpness.trainer.exchange.proto.Progress;
import java.time.Instant;

/**
 * One answer of rank 0's {@code GetProgress}.
 *
 * @param attempt the execution attempt whose rank 0 answered
 * @param report what it reported
 * @param readAt when the operator received it
 */
public record ProgressReading(int attempt, ProgressReport report, Instant readAt) {

    /**
     * Rank 0's answer, received at {@code readAt}: the one place the wire message is read; a
     * measurement the trainer left out is null.
     */
    public static ProgressReading of(int attempt, Progress p, Instant readAt) {
        return new ProgressReading(
                attempt,
                new ProgressReport(
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
                                : null),
                readAt);
    }
}
