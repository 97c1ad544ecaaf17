package dev.sharpness.trainer.training;

/**
 * When a run writes a checkpoint: after the last step of every epoch, after every {@code
 * everySteps}-th step, after the run's last step, and after the step during which a stop was asked
 * for. Only a worker that writes the run's state consults it (alone, or rank 0 of a pair).
 *
 * @param stepsPerEpoch steps in one epoch
 * @param everySteps {@code spec.checkpoint.everySteps}
 * @param lastStep the step count the run ends at (epochs or {@code maxSteps}, whichever is first)
 */
record CheckpointPolicy(int stepsPerEpoch, int everySteps, long lastStep) {
    CheckpointPolicy {
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException(
                    "an epoch has at least one step, got " + stepsPerEpoch);
        }
        if (everySteps < 1) {
            throw new IllegalArgumentException(
                    "spec.checkpoint.everySteps must be at least 1, got " + everySteps);
        }
    }

    /**
     * Whether a checkpoint follows global step {@code step} (counted from 0), given whether a stop
     * was asked for before it.
     */
    boolean dueAfter(long step, boolean stopAsked) {
        long done = step + 1;
        return stopAsked || done % stepsPerEpoch == 0 || done % everySteps == 0 || done == lastStep;
    }
}
