package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LookSAM (Liu et al., CVPR 2022): the sharpness direction is computed every k steps and reused in
 * between.
 *
 * <pre>
 *   g = g(x; B)
 *   t mod k == 0:  g_s = SAM gradient on B;  g_v = g_s - (&lt;g, g_s&gt; / ||g||^2) g (stored);  d = g_s
 *   otherwise:     d = g + alpha (||g|| / ||g_v||) g_v
 *   x = base_step(x, d)
 * </pre>
 *
 * Norms are global by default; {@code perTensor} applies the projection and the rescaling tensor by
 * tensor.
 *
 * <p><b>Look-LayerSAM</b> (the paper's variant for very large batches) is this class with {@link
 * Perturbation#layerwise}: on the SAM steps each parameter tensor j is perturbed by {@code eps_j =
 * rho * ||x_j|| * g_j / ||g_j||} instead of the global {@code rho * g / ||g||}; the reuse rule
 * above is unchanged (combine it with {@code perTensor} to make the reuse layer-wise too). With
 * {@code k = 1} it is SAM with that perturbation, and where the model is a single tensor of norm 1
 * its perturbation is plain SAM's.
 */
public final class LookSam<B> implements TrainingMethod<B> {
    private final Objective<B> objective;
    private final BaseOptimizer base;
    private final Perturbation perturbation;
    private final int interval;
    private final double alpha;
    private final boolean perTensor;

    /** g_v, the component of the last SAM gradient orthogonal to that step's plain gradient. */
    private final ParamVector direction;

    private final Workspace workspace;

    public LookSam(
            Objective<B> objective,
            BaseOptimizer base,
            Perturbation perturbation,
            int interval,
            double alpha,
            boolean perTensor,
            NDManager owner) {
        this.objective = objective;
        this.base = base;
        this.perturbation = perturbation;
        this.interval = interval;
        this.alpha = alpha;
        this.perTensor = perTensor;
        this.direction = ParamVector.zerosLike(objective.parameters(), owner);
        this.workspace = new Workspace(objective.parameters(), owner);
    }

    @Override
    public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
        B batch = batches.at(step, scope);
        Gradient g = objective.gradient(batch, BatchNormMode.UPDATE, scope);
        ParamVector d;
        if (step % interval == 0) {
            d = Sam.perturbedGradient(objective, perturbation, batch, g, workspace, scope).vector();
            store(orthogonal(d, g.vector(), scope));
        } else {
            d = reuse(g.vector(), scope);
        }
        base.step(objective.parameters(), d, lr);
        return StepResult.of(g, step % interval == 0 ? 2 : 1);
    }

    /** g_s minus its projection on g (globally, or per tensor). */
    private ParamVector orthogonal(ParamVector gs, ParamVector g, NDManager scope) {
        ParamVector v = gs.copy(scope);
        if (!perTensor) {
            v.addScaled(g, -gs.dot(g) / square(g.norm()));
            return v;
        }
        for (int i = 0; i < g.size(); i++) {
            ParamVector gi = single(g, i);
            single(v, i).addScaled(gi, -single(gs, i).dot(gi) / square(gi.norm()));
        }
        return v;
    }

    /** g + alpha (||g|| / ||g_v||) g_v (globally, or per tensor). */
    private ParamVector reuse(ParamVector g, NDManager scope) {
        ParamVector d = g.copy(scope);
        if (!perTensor) {
            d.addScaled(
                    direction, alpha * g.norm() / (direction.norm() + Perturbation.NORM_EPSILON));
            return d;
        }
        for (int i = 0; i < g.size(); i++) {
            ParamVector gv = single(direction, i);
            single(d, i)
                    .addScaled(
                            gv,
                            alpha * single(g, i).norm() / (gv.norm() + Perturbation.NORM_EPSILON));
        }
        return d;
    }

    private void store(ParamVector gv) {
        direction.assign(gv);
    }

    private static ParamVector single(ParamVector v, int i) {
        return new ParamVector(List.of(v.get(i)));
    }

    private static double square(double norm) {
        return norm * norm + Perturbation.NORM_EPSILON;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> state = new LinkedHashMap<>(base.stateTensors());
        for (int i = 0; i < direction.size(); i++) {
            state.put("looksam.direction." + i, direction.get(i));
        }
        return state;
    }
}
