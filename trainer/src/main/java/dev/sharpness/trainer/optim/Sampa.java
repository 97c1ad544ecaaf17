package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * SAMPa (Xie, Pethick and Cevher, NeurIPS 2024), run serially in one process exactly as its two
 * workers run it in parallel. Both workers hold x, the base optimizer's state, the carried gradient
 * gy and the data order; at step t, with B_t the step's batch and prev = B_{t-1} (B_0 at t = 0):
 *
 * <pre>
 *   rank 0 (x~):  eps = rho gy / ||gy||;          gA = g(x + eps; prev)
 *   rank 1 (y):   y = tentative base_step(x, gy); gB = g(y; B_t)        (y = x at t = 0)
 *   both:           x = base_step(x, (1 - lambda) gA + lambda gB);  gy = gB
 * </pre>
 *
 * gA and gB depend only on what is known at the start of the step, so the pair computes them at the
 * same time. Each worker keeps its own BatchNorm running statistics; rank 0's are the model's (for
 * evaluation and checkpoints), rank 1's are held here and swapped in around its pass. With bf16 on
 * the pair's wire, both gradients are rounded as the wire rounds them ({@link WireVectors}) before
 * they are used, since the pair's ranks step along the rounded ones.
 */
public final class Sampa<B> implements TrainingMethod<B> {
    private final Objective<B> objective;
    private final SampaRoles<B> roles;

    /** Rank 1's BatchNorm running statistics; empty for models without BatchNorm. */
    private final Optional<ParamVector> workerOneStatistics;

    /**
     * Each rank's gradient as a bf16 wire carries it (one converter per rank: a vector as sent
     * lives in its converter's memory until that converter's next write); null on a float32 wire,
     * which carries the bits as they are.
     */
    private final WireVectors[] wire;

    /** SAMPa as its pair runs it with float32 on the wire. */
    public Sampa(
            Objective<B> objective,
            BaseOptimizer base,
            Perturbation perturbation,
            double lambda,
            NDManager owner) {
        this(objective, base, perturbation, lambda, DataType.FLOAT32, owner);
    }

    /** SAMPa as its pair runs it with {@code wire} (float32 or bfloat16) on the wire. */
    public Sampa(
            Objective<B> objective,
            BaseOptimizer base,
            Perturbation perturbation,
            double lambda,
            DataType wire,
            NDManager owner) {
        this.objective = objective;
        this.roles = new SampaRoles<>(objective, base, perturbation, lambda, owner);
        // Both workers start from the same initialization, statistics included.
        this.workerOneStatistics = objective.batchNormStatistics().map(s -> s.copy(owner));
        this.wire =
                wire == DataType.FLOAT32
                        ? null
                        : new WireVectors[] {new WireVectors(wire), new WireVectors(wire)};
    }

    @Override
    public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
        Gradient a = roles.perturbed(step, batches, scope, null);
        Gradient b = asRankOne(() -> roles.auxiliary(step, batches, lr, scope, null), scope);
        roles.update(asSent(0, a, scope), asSent(1, b, scope), lr);
        return StepResult.of(b, 1);
    }

    /** Rank {@code rank}'s gradient {@code g} as both ranks hold it once swapped. */
    private ParamVector asSent(int rank, Gradient g, NDManager scope) {
        return wire == null ? g.vector() : wire[rank].write(g.vector(), scope).asSent();
    }

    /**
     * The pair's step before {@code sharpnessFrom} ({@link SplitBatch}), played serially: worker
     * 0's half with the model's BatchNorm statistics, rank 1's with its own, the same state as this
     * method's.
     */
    public TrainingMethod<B> dataParallel(SampleSelection<B> selection) {
        return new TrainingMethod<>() {
            @Override
            public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
                B batch = batches.at(step, scope);
                int[] first = SplitBatch.rows(0, selection.size(batch));
                int[] second = SplitBatch.rows(1, selection.size(batch));
                Gradient g0 = half(selection, batch, first, scope);
                Gradient g1 = asRankOne(() -> half(selection, batch, second, scope), scope);
                roles.baseStep(
                        SplitBatch.combine(
                                asSent(0, g0, scope),
                                first.length,
                                asSent(1, g1, scope),
                                second.length,
                                scope),
                        lr);
                return StepResult.of(g0, 1);
            }

            @Override
            public Map<String, NDArray> stateTensors() {
                return Sampa.this.stateTensors();
            }
        };
    }

    private Gradient half(SampleSelection<B> selection, B batch, int[] rows, NDManager scope) {
        return objective.gradient(
                selection.select(batch, rows, scope), BatchNormMode.UPDATE, scope);
    }

    /** Runs a pass with rank 1's BatchNorm statistics in place of rank 0's. */
    private Gradient asRankOne(Supplier<Gradient> pass, NDManager scope) {
        if (workerOneStatistics.isEmpty()) {
            return pass.get();
        }
        ParamVector live = objective.batchNormStatistics().orElseThrow();
        ParamVector workerZero = live.copy(scope);
        live.assign(workerOneStatistics.get());
        Gradient g = pass.get();
        workerOneStatistics.get().assign(live);
        live.assign(workerZero);
        return g;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return roles.stateTensors(workerOneStatistics);
    }
}
