package dev.sharpness.trainer.training;

/** Hears how a run advances: a progress bar, log lines, a metrics endpoint. */
public interface ProgressListener {
    /** Called once before the first step; {@code startStep} is non-zero on resume. */
    default void started(long totalSteps, long startStep) {}

    /** Called after every step. */
    default void stepped(long step, int epoch, double loss, double accuracy, double learningRate) {}

    /** Called after each evaluation. */
    default void epochEnded(EpochMetrics metrics) {}

    /** Called once when training stops, before the outputs are written. */
    default void finished() {}
}
