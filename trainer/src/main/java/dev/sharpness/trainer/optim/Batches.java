package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;

/**
 * The batch of any step: a pure function of the step index (data order from the seed and epoch,
 * augmentation from the seed, epoch, step and sample). SAMPa asks for the previous step's batch
 * again, and gets exactly the same pixels.
 *
 * @param <B> the batch type; {@code Void} for toy objectives without data
 */
@FunctionalInterface
public interface Batches<B> {
    /** The batch of global step {@code step}, its arrays owned by {@code owner}. */
    B at(long step, NDManager owner);
}
