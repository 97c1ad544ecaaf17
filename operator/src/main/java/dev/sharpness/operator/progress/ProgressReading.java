package dev.sharpness.operator.progress;

import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.worker.ProgressReport;
import dev.sharpness.api.worker.ProgressWire;
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
     * Rank 0's answer, received at {@code readAt}, read by the contract's one converter ({@link
     * ProgressWire#read}): a measurement the trainer left out is null.
     */
    public static ProgressReading of(int attempt, Progress p, Instant readAt) {
        return new ProgressReading(attempt, ProgressWire.read(p), readAt);
    }
}
