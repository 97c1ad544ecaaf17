package dev.sharpness.trainer.training;

import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.optim.TrainingMethod;

/**
 * Wraps the training method a run builds before the run steps it: the seam through which a test
 * injects a fault (a loss that overflows, a replica that drifts) into an otherwise real run.
 */
@FunctionalInterface
public interface MethodWrapper {
    /** Leaves the method as it is. */
    MethodWrapper NONE = (method, network) -> method;

    /**
     * @param method the method the spec names, as this worker runs it
     * @param network the model it trains, whose parameters it updates in place
     */
    TrainingMethod<Batch> wrap(TrainingMethod<Batch> method, Network network);
}
