package dev.sharpness.operator.reconcile;

import dev.sharpness.operator.pods.ObservedWorker;
import dev.sharpness.operator.progress.ProgressReading;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@link Lifecycle} decides on, observed before it decides: the job's pods, rank 0's
 * last progress answer, and what only the operator can check about the spec.
 *
 * @param workers every trainer pod of the job the operator sees, of any attempt
 * @param progress rank 0's last answer, if any
 * @param missingClaim a claim the spec names that does not exist, as a message naming the field;
 *     looked up only when the job may start an attempt ({@link MissingClaims#due})
 */
public record Observation(
        List<ObservedWorker> workers,
        Optional<ProgressReading> progress,
        Optional<String> missingClaim) {

    /** Pods and progress only: nothing the operator checks itself is wrong. */
    public static Observation of(List<ObservedWorker> workers, Optional<ProgressReading> progress) {
        return new Observation(workers, progress, Optional.empty());
    }
}
