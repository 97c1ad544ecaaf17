package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.KSamSpec;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * K-SAM (Ni et al., 2022): SAM on the k highest-loss samples of each batch.
 *
 * <pre>
 *   l_i = per-sample loss at x       forward only, no graph, BatchNorm statistics untouched
 *   S   = the k largest l_i          ties to the earlier sample; S keeps the batch's order
 *   g = g(x; S);  eps = rho g / ||g||;  g_s = g(x + eps; S);  x = base_step(x, g_s)
 * </pre>
 *
 * Keeping S in the batch's order makes k = batch size exactly SAM, bit for bit.
 */
public final class KSam<B> implements TrainingMethod<B> {
    private final Objective<B> objective;
    private final SampleSelection<B> selection;
    private final BaseOptimizer base;
    private final Perturbation perturbation;
    private final KSamSpec selectionSpec;
    private final Workspace workspace;

    public KSam(
            Objective<B> objective,
            SampleSelection<B> selection,
            BaseOptimizer base,
            Perturbation perturbation,
            KSamSpec selectionSpec,
            NDManager owner) {
        this.objective = objective;
        this.selection = selection;
        this.base = base;
        this.perturbation = perturbation;
        this.selectionSpec = selectionSpec;
        this.workspace = new Workspace(objective.parameters(), owner);
    }

    @Override
    public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
        B batch = batches.at(step, scope);
        SampleSelection.SampleLosses scores = selection.perSampleLosses(batch, scope);
        float[] losses = scores.losses();
        int k = selectionSpec.k(losses.length);
        B selected = k == losses.length ? batch : selection.select(batch, topK(losses, k), scope);
        Gradient g = objective.gradient(selected, BatchNormMode.UPDATE, scope);
        Gradient perturbed =
                Sam.perturbedGradient(objective, perturbation, selected, g, workspace, scope);
        base.step(objective.parameters(), perturbed.vector(), lr);
        // Report the whole batch: the selected samples are the worst by construction.
        return new StepResult(scores.mean(), scores.correct(), losses.length, 2);
    }

    /** Positions of the k largest losses (ties: the earlier position wins), in ascending order. */
    static int[] topK(float[] losses, int k) {
        Integer[] byLoss = IntStream.range(0, losses.length).boxed().toArray(Integer[]::new);
        // A stable sort on descending loss keeps equal losses in position order.
        Arrays.sort(byLoss, Comparator.comparingDouble(i -> -losses[i]));
        int[] chosen = new int[Math.min(k, losses.length)];
        for (int i = 0; i < chosen.length; i++) {
            chosen[i] = byLoss[i];
        }
        Arrays.sort(chosen);
        return chosen;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return base.stateTensors();
    }
}
