package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
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
     * {@link #gradient(Object, BatchNormMode, NDManager)}, handing {@code early} the gradient's
     * last tensors as soon as the backward pass has made them final, while it computes the rest: so
     * that they can be on their way to a peer meanwhile. An objective whose backward pass does not
     * split (the default) never calls it.
     */
    default Gradient gradient(B batch, BatchNormMode mode, NDManager into, EarlyGradient early) {
        return gradient(batch, mode, into);
    }

    /** Takes the part of a gradient that is final before the rest ({@link #gradient}). */
    @FunctionalInterface
    interface EarlyGradient {
        /**
         * The gradient's tensors from {@code first} to the last are final: {@code tensors}, owned
         * by the gradient's manager; the returned gradient holds these same tensors.
         */
        void ready(int first, List<NDArray> tensors);
    }

    /**
     * The live BatchNorm running statistics, if the model has any. SAMPa's serial emulation keeps a
     * second set for its y rank and swaps it in around that rank's pass.
     */
    default Optional<ParamVector> batchNormStatistics() {
        return Optional.empty();
    }
}
