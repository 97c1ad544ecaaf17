package dev.sharpness.trainer.training;

import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.trainer.data.BatchPlan;
import dev.sharpness.trainer.optim.LearningRateSchedule;
import java.util.Optional;

/**
 * The shape of a run as its spec and training set fix it: which samples each step trains on, how
 * many steps, the learning rate of each, and when checkpoints fall.
 *
 * @param lastStep the step count the run ends at: all epochs, or {@code maxSteps} if fewer
 * @param firstSharpStep the step from which the method replaces plain base-optimizer steps ({@code
 *     spec.optimizer.sharpnessFrom}; 0 without it)
 * @param logEverySteps {@code spec.training.logEverySteps}, or {@link #logEveryStepsOf} by default
 */
record RunPlan(
        BatchPlan batches,
        int epochs,
        long lastStep,
        long firstSharpStep,
        LearningRateSchedule schedule,
        CheckpointPolicy checkpoints,
        int logEverySteps) {

    static RunPlan of(SamTrainingJobSpec spec, int trainSamples) {
        BatchPlan batches =
                new BatchPlan(
                        spec.getTraining().getSeed(),
                        trainSamples,
                        spec.getTraining().getBatchSize());
        int stepsPerEpoch = batches.stepsPerEpoch();
        int epochs = spec.getTraining().getEpochs();
        long lastStep =
                Math.min(
                        (long) stepsPerEpoch * epochs,
                        Optional.ofNullable(spec.getTraining().getMaxSteps())
                                .orElse(Long.MAX_VALUE));
        LearningRateSchedule schedule =
                new LearningRateSchedule(
                        spec.getOptimizer().getSchedule(),
                        spec.getOptimizer().getBase().getLearningRate(),
                        stepsPerEpoch,
                        epochs);
        CheckpointPolicy checkpoints =
                new CheckpointPolicy(stepsPerEpoch, spec.getCheckpoint().getEverySteps(), lastStep);
        long firstSharpStep =
                Optional.ofNullable(spec.getOptimizer().getSharpnessFrom())
                        .map(from -> from.firstStep(stepsPerEpoch, epochs))
                        .orElse(0L);
        return new RunPlan(
                batches,
                epochs,
                lastStep,
                firstSharpStep,
                schedule,
                checkpoints,
                Optional.ofNullable(spec.getTraining().getLogEverySteps())
                        .orElse(logEveryStepsOf((long) stepsPerEpoch * epochs)));
    }

    int stepsPerEpoch() {
        return batches.stepsPerEpoch();
    }

    /**
     * About 200 logged rows over a run of {@code steps} (all epochs, not {@code maxSteps}, so a
     * resumed run logs as the interrupted one did): every step up to 400 steps, at most every 50th.
     */
    static int logEveryStepsOf(long steps) {
        return (int) Math.max(1, Math.min(50, steps / 200));
    }

    /**
     * Whether the listeners log the step that makes {@code done} steps: every Nth, and the last of
     * the last epoch. Not {@code maxSteps}'s last, so a run stopped early and resumed logs the
     * steps the uninterrupted run logs.
     */
    boolean logs(long done) {
        return done % logEverySteps == 0 || done == (long) stepsPerEpoch() * epochs;
    }
}
