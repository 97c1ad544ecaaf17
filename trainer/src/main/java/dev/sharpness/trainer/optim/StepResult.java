package dev.sharpness.trainer.optim;

/**
 * What one optimizer step reports: the loss and accuracy of the pass at the unperturbed x on the
 * step's batch, and how many gradient computations it ran one after another.
 */
public record StepResult(double loss, long correct, int samples, int sequentialGradients) {
    static StepResult of(Gradient measured, int sequentialGradients) {
        return new StepResult(
                measured.loss(), measured.correct(), measured.samples(), sequentialGradients);
    }
}
