package dev.sharpness.trainer.optim;

/** The update that turns a direction d into new parameters: x, state <- base_step(x, state, d). */
public interface BaseOptimizer extends Stateful {
    /** Applies one update to x in place with learning rate {@code lr}. */
    void step(ParamVector x, ParamVector direction, double lr);

    /**
     * Moves x, in place, to the parameters {@link #step} would produce for this direction, computed
     * with exactly the same arithmetic, without changing any state of the optimizer: SAMPa's
     * tentative y step. The caller keeps a copy of x to restore it.
     */
    void tentativeStep(ParamVector x, ParamVector direction, double lr);
}
