package dev.sharpness.trainer.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/** Facts about an initialized network that a log line or a test wants. */
public final class ModelSummary {
    private ModelSummary() {}

    /**
     * Counts the trainable scalars: weights, biases, batch-norm gamma and beta. Batch-norm running
     * means and variances are state, not parameters, and are left out.
     *
     * @param initializedBlock a block after {@code initialize(...)}
     * @return the number of scalars that receive gradients
     * @throws IllegalStateException if the block is not initialized
     */
    public static long parameterCount(Block initializedBlock) {
        if (!initializedBlock.isInitialized()) {
            throw new IllegalStateException("parameters are counted after initialize()");
        }
        long count = 0;
        for (Parameter parameter : initializedBlock.getParameters().values()) {
            if (parameter.requiresGradient()) {
                count += parameter.getArray().size();
            }
        }
        return count;
    }
}
