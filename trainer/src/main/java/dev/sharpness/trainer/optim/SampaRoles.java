package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The arithmetic of SAMPa's two halves and of the update they share, with the state both hold: the
 * carried gradient gy (zero before the first step). {@link Sampa} plays both in one process; {@link
 * SampaWorker} plays one and swaps its gradient with its peer.
 *
 * <p>The names of the two halves, used in code and docs alike:
 *
 * <ul>
 *   <li><b>rank 0, the x~ rank</b>: computes the <b>perturbed gradient</b> gA at x~ = x + rho gy /
 *       ||gy|| ({@link #perturbed}); in a pair it serves the exchange and writes checkpoints.
 *   <li><b>rank 1, the y rank</b>: computes the <b>auxiliary gradient</b> gB at y, the tentative
 *       base step from x along gy ({@link #auxiliary}); in a pair it connects to rank 0.
 * </ul>
 *
 * The operator's pod label {@code sharpness.dev/role} says the same: {@code perturbed} or {@code
 * auxiliary}.
 */
final class SampaRoles<B> {
    /**
     * Name prefix of rank 1's BatchNorm statistics in the method state: one checkpoint format for
     * the serial emulation and the pair (its older wording stays: checkpoints must stay readable).
     */
    static final String RANK_ONE_STATISTICS = "sampa.worker1.batchnorm.";

    private final Objective<B> objective;
    private final BaseOptimizer base;
    private final Perturbation perturbation;
    private final double lambda;
    private final ParamVector carried;
    private final Workspace workspace;

    SampaRoles(
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
        this.workspace = new Workspace(objective.parameters(), owner);
    }

    /**
     * Rank 0's perturbed gradient: the gradient at x + rho gy / ||gy|| on the batch gy was computed
     * on (the previous step's; B_0 at step 0). x is restored by copy. The gradient's part that is
     * final first goes to {@code early} (none if null; {@link Objective#gradient(Object,
     * BatchNormMode, NDManager, Objective.EarlyGradient)}).
     */
    Gradient perturbed(
            long step, Batches<B> batches, NDManager scope, Objective.EarlyGradient early) {
        ParamVector x = objective.parameters();
        ParamVector origin = workspace.save(x);
        perturbation.addTo(x, carried, workspace.scratch(), scope);
        Gradient g =
                objective.gradient(
                        batches.at(Math.max(step - 1, 0), scope),
                        BatchNormMode.UPDATE,
                        scope,
                        early);
        x.assign(origin);
        return g;
    }

    /**
     * Rank 1's auxiliary gradient: the gradient on this step's batch at the tentative base step
     * from x along gy (momentum and weight decay included; y = x at step 0). x is restored by copy.
     * The gradient's part that is final first goes to {@code early} (none if null).
     */
    Gradient auxiliary(
            long step,
            Batches<B> batches,
            double lr,
            NDManager scope,
            Objective.EarlyGradient early) {
        ParamVector x = objective.parameters();
        ParamVector origin = workspace.save(x);
        if (step > 0) {
            base.tentativeStep(x, carried, lr);
        }
        Gradient g =
                objective.gradient(batches.at(step, scope), BatchNormMode.UPDATE, scope, early);
        x.assign(origin);
        return g;
    }

    /** Both workers: x = base_step(x, (1 - lambda) gA + lambda gB), then gy = gB. */
    /** Before {@code sharpnessFrom}: a plain base step along {@code d}; gy stays zero. */
    void baseStep(ParamVector d, double lr) {
        base.step(objective.parameters(), d, lr);
    }

    void update(ParamVector gA, ParamVector gB, double lr) {
        base.step(objective.parameters(), mix(gA, gB), lr);
        carried.assign(gB);
    }

    /**
     * (1 - lambda) gA + lambda gB, in gA's tensors. The end points take one gradient as it is: 0 *
     * g is a signed zero, and adding it would flip the sign of zeros in the other.
     */
    private ParamVector mix(ParamVector a, ParamVector b) {
        if (lambda == 0) {
            return a;
        }
        if (lambda == 1) {
            return b;
        }
        a.scale(1 - lambda);
        a.addScaled(b, lambda, workspace.scratch());
        return a;
    }

    /**
     * The state of either form of SAMPa: the base optimizer's, gy, and rank 1's BatchNorm
     * statistics (none for a model without BatchNorm), so one checkpoint format serves the serial
     * emulation and the pair.
     */
    Map<String, NDArray> stateTensors(Optional<ParamVector> workerOneStatistics) {
        Map<String, NDArray> state = new LinkedHashMap<>(base.stateTensors());
        for (int i = 0; i < carried.size(); i++) {
            state.put("sampa.carried." + i, carried.get(i));
        }
        workerOneStatistics.ifPresent(
                s -> {
                    for (int i = 0; i < s.size(); i++) {
                        state.put(RANK_ONE_STATISTICS + i, s.get(i));
                    }
                });
        return state;
    }
}
