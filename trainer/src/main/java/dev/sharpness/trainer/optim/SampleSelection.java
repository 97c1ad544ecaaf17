package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;

/** What K-SAM needs beyond gradients: per-sample losses, and a batch cut down to some samples. */
public interface SampleSelection<B> {
    /**
     * The loss of every sample of {@code batch} at the current parameters: a forward pass only, no
     * autograd graph, BatchNorm running statistics left as they were.
     */
    float[] perSampleLosses(B batch, NDManager scope);

    /** The samples at {@code rows} of {@code batch}, in that order, owned by {@code owner}. */
    B select(B batch, int[] rows, NDManager owner);
}
