package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;

/**
 * What K-SAM (and a SAMPa pair splitting its batches) needs beyond gradients: per-sample losses,
 * and a batch cut down to some samples.
 */
public interface SampleSelection<B> {
    /**
     * The loss of every sample of {@code batch} at the current parameters, and how many are
     * predicted right: a forward pass only, no autograd graph, BatchNorm running statistics left as
     * they were.
     */
    SampleLosses perSampleLosses(B batch, NDManager scope);

    /** Per-sample losses of a batch, and its correct predictions. */
    record SampleLosses(float[] losses, long correct) {
        /** Mean loss over the batch. */
        public double mean() {
            double sum = 0;
            for (float l : losses) {
                sum += l;
            }
            return sum / losses.length;
        }
    }

    /** How many samples {@code batch} holds. */
    int size(B batch);

    /** The samples at {@code rows} of {@code batch}, in that order, owned by {@code owner}. */
    B select(B batch, int[] rows, NDManager owner);
}
