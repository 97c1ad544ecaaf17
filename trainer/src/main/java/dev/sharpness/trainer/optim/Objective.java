package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;
import java.util.Optional;

/**
 * A differentiable loss over the parameter vector x: a network on a minibatch, or a toy function
 * whose gradients are known exactly. The methods only see this interface, so the same SAM code runs
 * on ResNet-56 and on f(x) = ||x||^2.
 *
 * @param <B> what one step trains on (a minibatch; nothing for a deterministic toy function)
 */
public interface Objective<B> {
    /** The live trainable tensors; optimizers update them in place. */
    ParamVector parameters();

    /**
     * The gradient of the mean loss on {@code batch} at the current parameters.
     *
     * @param into owns the returned gradient tensors
     */
    Gradient gradient(B batch, BatchNormMode mode, NDManager into);

    /**
     * The live BatchNorm running statistics, if the model has any. SAMPa's serial emulation keeps a
     * second set for its y rank and swaps it in around that rank's pass.
     */
    default Optional<ParamVector> batchNormStatistics() {
        return Optional.empty();
    }
}
