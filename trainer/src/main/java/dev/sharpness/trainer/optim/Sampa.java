package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * SAMPa (Xie, Pethick and Cevher, NeurIPS 2024), run serially in one process exactly as its two
 * workers run it in parallel. Both workers hold x, the base optimizer's state, the carried gradient
 * gy and the data order; at step t, with B_t the step's batch and prev = B_{t-1} (B_0 at t = 0):
 *
 * <pre>
 *   worker 0 (x~):  eps = rho gy / ||gy||;          gA = g(x + eps; prev)
 *   worker 1 (y):   y = tentative base_step(x, gy); gB = g(y; B_t)        (y = x at t = 0)
 *   both:           x = base_step(x, (1 - lambda) gA + lambda gB);  gy = gB
 * </pre>
 *
 * gA and gB depend only on what is known at the start of the step, so the pair computes them at the
 * same time. Each worker keeps its own BatchNorm running statistics; worker 0's are the model's
 * (for evaluation and checkpoints), worker 1's are held here and swapped in around its pass.
 */
public final class Sampa<B> implements TrainingMethod<B> {
    private final Objective<B> objective;
    private final BaseOptimizer base;
    private final Perturbation perturbation;
    private final double lambda;

    /** gy: the raw gradient at y_t, zero before the first step. */
    private final ParamVector carried;

    /** Worker 1's BatchNorm running statistics; empty for models without BatchNorm. */
    private final Optional<ParamVector> workerOneStatistics;

    public Sampa(
            Objective<B> objective,
            BaseOptimizer base,
            Perturbation perturbation,
            double lambda,
            NDManager owner) {
        this.objective = objective;
        this.base = base;
        this.perturbation = perturbation;
        this.lambda = lambda;
        this.carried = ParamVector.zerosLike(objective.parameters(), owner);
        // Both workers start from the same initialization, statistics included.
        this.workerOneStatistics = objective.batchNormStatistics().map(s -> s.copy(owner));
    }

    @Override
    public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
        ParamVector x = objective.parameters();
        ParamVector origin = x.copy(scope);

        Gradient a = gradientAtPerturbed(batches.at(Math.max(step - 1, 0), scope), scope);
        x.assign(origin);
        Gradient b = gradientAtY(step, batches.at(step, scope), lr, scope);
        x.assign(origin);

        base.step(x, mix(a.vector(), b.vector()), lr);
        carried.assign(b.vector());
        return StepResult.of(b, 1);
    }

    /**
     * (1 - lambda) gA + lambda gB. The end points take one gradient as it is: 0 * g is a signed
     * zero, and adding it would flip the sign of zeros in the other.
     */
    private ParamVector mix(ParamVector a, ParamVector b) {
        if (lambda == 0) {
            return a;
        }
        if (lambda == 1) {
            return b;
        }
        a.scale(1 - lambda);
        a.addScaled(b, lambda);
        return a;
    }

    /** Worker 0: the gradient at x~ = x + rho gy / ||gy|| on the batch gy was computed on. */
    private Gradient gradientAtPerturbed(B previous, NDManager scope) {
        ParamVector x = objective.parameters();
        x.addScaled(perturbation.of(carried, x, scope), 1);
        return objective.gradient(previous, BatchNormMode.UPDATE, scope);
    }

    /**
     * Worker 1: the gradient at the tentative base step from x along gy, with its own statistics.
     */
    private Gradient gradientAtY(long step, B batch, double lr, NDManager scope) {
        ParamVector x = objective.parameters();
        if (step > 0) {
            x.assign(base.tentativeStep(x, carried, lr, scope));
        }
        if (workerOneStatistics.isEmpty()) {
            return objective.gradient(batch, BatchNormMode.UPDATE, scope);
        }
        ParamVector live = objective.batchNormStatistics().orElseThrow();
        ParamVector workerZero = live.copy(scope);
        live.assign(workerOneStatistics.get());
        Gradient g = objective.gradient(batch, BatchNormMode.UPDATE, scope);
        workerOneStatistics.get().assign(live);
        live.assign(workerZero);
        return g;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> state = new LinkedHashMap<>(base.stateTensors());
        for (int i = 0; i < carried.size(); i++) {
            state.put("sampa.carried." + i, carried.get(i));
        }
        workerOneStatistics.ifPresent(
                s -> {
                    for (int i = 0; i < s.size(); i++) {
                        state.put("sampa.worker1.batchnorm." + i, s.get(i));
                    }
                });
        return state;
    }
}
