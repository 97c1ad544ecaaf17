package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/** Plain training: one forward and backward per step, {@code d = g(x; B)}. */
public final class Sgd<B> implements TrainingMethod<B> {
    private final Objective<B> objective;
    private final BaseOptimizer base;

    public Sgd(Objective<B> objective, BaseOptimizer base) {
        this.objective = objective;
        this.base = base;
    }

    @Override
    public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
        Gradient g = objective.gradient(batches.at(step, scope), BatchNormMode.UPDATE, scope);
        base.step(objective.parameters(), g.vector(), lr);
        return StepResult.of(g, 1);
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return base.stateTensors();
    }
}
