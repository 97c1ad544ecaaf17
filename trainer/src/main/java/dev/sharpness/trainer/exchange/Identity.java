package dev.sharpness.trainer.exchange;

import java.util.Objects;

/**
 * What the two ranks of a pair must agree on before they exchange anything: the same job, the same
 * execution attempt, the same training-defining spec and the same parameter layout.
 *
 * @param jobUid the job's Kubernetes uid (or any id unique to one run when run locally)
 * @param attempt the execution attempt, counted by the operator from 0
 * @param specHash a hash of the training-defining part of the job spec
 * @param layout the model's parameters, in gradient-vector order
 */
public record Identity(String jobUid, int attempt, String specHash, Layout layout) {

    public Identity {
        Objects.requireNonNull(jobUid, "jobUid");
        Objects.requireNonNull(specHash, "specHash");
        Objects.requireNonNull(layout, "layout");
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0, got " + attempt);
        }
    }
}
