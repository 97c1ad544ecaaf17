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
 */
record RunPlan(
        BatchPlan batches,
        int epochs,
        long lastStep,
        long firstSharpStep,
        LearningRateSchedule schedule,
        CheckpointPolicy checkpoints) {

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
        return new RunPlan(batches, epochs, lastStep, firstSharpStep, schedule, checkpoints);
    }

    int stepsPerEpoch() {
        return batches.stepsPerEpoch();
    }
}
