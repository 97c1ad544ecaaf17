package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;

/** The update that turns a direction d into new parameters: x, state <- base_step(x, state, d). */
public interface BaseOptimizer extends Stateful {
    /** Applies one update to x in place with learning rate {@code lr}. */
    void step(ParamVector x, ParamVector direction, double lr);

    /**
     * The parameters {@link #step} would produce for this direction, computed with exactly the same
     * arithmetic, without changing x or any state: SAMPa's tentative y step.
     */
    ParamVector tentativeStep(ParamVector x, ParamVector direction, double lr, NDManager into);
}
