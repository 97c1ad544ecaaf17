package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;

/**
 * One of the training methods of ALGORITHMS.md: given a way to compute gradients, take one step.
 * Any state beyond the base optimizer's (a stored direction, a carried gradient) is {@link
 * Stateful}, so checkpoints resume exactly.
 *
 * @param <B> what one step trains on
 */
public interface TrainingMethod<B> extends Stateful {
    /**
     * Takes global step {@code step}, updating the objective's parameters in place.
     *
     * @param batches the batch of this step (and, for SAMPa, of the previous one)
     * @param lr this step's learning rate
     * @param scope owns every temporary of the step; the caller closes it
     */
    StepResult step(long step, Batches<B> batches, double lr, NDManager scope);
}
