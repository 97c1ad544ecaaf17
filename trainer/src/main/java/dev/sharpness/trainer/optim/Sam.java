package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * Sharpness-Aware Minimization (Foret et al., ICLR 2021), and ASAM with an adaptive perturbation:
 *
 * <pre>
 *   g = g(x; B)                 pass 1, BatchNorm running statistics update
 *   eps = rho * g / ||g||
 *   g_s = g(x + eps; B)         pass 2, same batch, running statistics unchanged
 *   x = base_step(x, g_s)       from the x of pass 1, restored by copy
 * </pre>
 */
public final class Sam<B> implements TrainingMethod<B> {
    private final Objective<B> objective;
    private final BaseOptimizer base;
    private final Perturbation perturbation;

    public Sam(Objective<B> objective, BaseOptimizer base, Perturbation perturbation) {
        this.objective = objective;
        this.base = base;
        this.perturbation = perturbation;
    }

    @Override
    public StepResult step(B batch, double lr, NDManager scope) {
        ParamVector x = objective.parameters();
        Gradient g = objective.gradient(batch, BatchNormMode.UPDATE, scope);
        ParamVector eps = perturbation.of(g.vector(), x, scope);
        ParamVector origin = x.copy(scope);
        x.addScaled(eps, 1);
        Gradient perturbed = objective.gradient(batch, BatchNormMode.FREEZE, scope);
        x.assign(origin);
        base.step(x, perturbed.vector(), lr);
        return StepResult.of(g, 2);
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return base.stateTensors();
    }
}
