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
    private final Workspace workspace;

    public Sam(
            Objective<B> objective,
            BaseOptimizer base,
            Perturbation perturbation,
            NDManager owner) {
        this.objective = objective;
        this.base = base;
        this.perturbation = perturbation;
        this.workspace = new Workspace(objective.parameters(), owner);
    }

    @Override
    public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
        B batch = batches.at(step, scope);
        Gradient g = objective.gradient(batch, BatchNormMode.UPDATE, scope);
        Gradient perturbed = perturbedGradient(objective, perturbation, batch, g, workspace, scope);
        base.step(objective.parameters(), perturbed.vector(), lr);
        return StepResult.of(g, 2);
    }

    /**
     * SAM's second pass: the gradient at x + eps on the same batch, BatchNorm statistics frozen, x
     * restored by copy afterwards (from {@code workspace}, which also holds eps's temporaries).
     */
    static <B> Gradient perturbedGradient(
            Objective<B> objective,
            Perturbation perturbation,
            B batch,
            Gradient g,
            Workspace workspace,
            NDManager scope) {
        ParamVector x = objective.parameters();
        ParamVector origin = workspace.save(x);
        perturbation.addTo(x, g.vector(), workspace.scratch(), scope);
        Gradient perturbed = objective.gradient(batch, BatchNormMode.FREEZE, scope);
        x.assign(origin);
        return perturbed;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return base.stateTensors();
    }
}
