package dev.sharpness.trainer.optim;

/** The update that turns a direction d into new parameters: x, state <- base_step(x, state, d). */
public interface BaseOptimizer extends Stateful {
    /** Applies one update to x in place with learning rate {@code lr}. */
    void step(ParamVector x, ParamVector direction, double lr);
}
