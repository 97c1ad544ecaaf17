package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sharpness.trainer.timing.StepPhases;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One of SAMPa's two ranks (named in {@link SampaRoles}). Rank 0, the x~ rank, computes the
 * perturbed gradient (on the batch of the carried gradient), rank 1, the y rank, the auxiliary
 * gradient (on this step's batch); they swap the two raw vectors and both apply the same update, so
 * both hold identical parameters without any broadcast. Each keeps its own BatchNorm statistics.
 * The arithmetic is {@link SampaRoles}', shared with the serial {@link Sampa}, so a pair computes
 * exactly what the serial emulation computes.
 *
 * <p>With {@code overlap}, a rank begins its swap during its backward pass: once the pass has made
 * the top layers' gradient final (the vector's last tensors, {@link Objective.EarlyGradient}), that
 * part goes to the peer while the pass computes the rest, and the swap then only waits for the
 * rest. The bytes sent are the same, so the result is too. It pays where the pass runs on a GPU,
 * which leaves the cores free to send; on CPU cores both would take turns.
 *
 * <p>The state tensors are the serial emulation's, so one checkpoint format serves both: rank 1's
 * BatchNorm statistics are its model's live buffers; rank 0 holds a copy of them that rank 1 sends
 * before each checkpoint ({@link #ownState}, {@link #keepPeerState}).
 */
public final class SampaWorker<B> implements TrainingMethod<B> {
    /** The phase of {@link #phaseMillis} that is this rank's gradient pass. */
    public static final String GRADIENT_PHASE = "gradient";

    private static final String FLATTEN = "flatten";
    private static final String SWAP = "swap";
    private static final String UNFLATTEN = "unflatten";
    private static final String UPDATE = "update";

    private final int rank;
    private final Objective<B> objective;
    private final SampaRoles<B> roles;
    private final GradientSwap peer;
    private final boolean overlap;

    /**
     * Our gradient into the wire's bytes, and the peer's out of them; made at the first swap, once
     * the peer has agreed on the wire's format.
     */
    private WireVectors wire;

    private final StepPhases phases = new StepPhases();

    /** Rank 1's BatchNorm statistics: rank 1's live ones, rank 0's copy; empty without BN. */
    private final Optional<ParamVector> workerOneStatistics;

    public SampaWorker(
            int rank,
            Objective<B> objective,
            BaseOptimizer base,
            Perturbation perturbation,
            double lambda,
            GradientSwap peer,
            boolean overlap,
            NDManager owner) {
        if (rank != 0 && rank != 1) {
            throw new IllegalArgumentException("SAMPa has ranks 0 and 1, not " + rank);
        }
        this.rank = rank;
        this.objective = objective;
        this.roles = new SampaRoles<>(objective, base, perturbation, lambda, owner);
        this.peer = peer;
        this.overlap = overlap;
        // Both ranks start from the same initialization, statistics included.
        this.workerOneStatistics =
                rank == 1
                        ? objective.batchNormStatistics()
                        : objective.batchNormStatistics().map(s -> s.copy(owner));
    }

    @Override
    public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
        phases.start();
        StepSwap swap = new StepSwap(peer, step);
        Gradient mine =
                rank == 0
                        ? roles.perturbed(step, batches, scope, swap.early())
                        : roles.auxiliary(step, batches, lr, scope, swap.early());
        phases.lap(GRADIENT_PHASE);
        ParamVector[] gradients = swap.finish(mine, scope);
        roles.update(gradients[0], gradients[1], lr);
        phases.lap(UPDATE);
        return StepResult.of(mine, 1);
    }

    /**
     * Where this rank's steps go: the median milliseconds of its gradient pass (perturbation or
     * tentative step included), flattening its gradient, the swap, unflattening the peer's, and the
     * shared update, in that order; empty before the first step. With {@code overlap} the gradient
     * pass includes flattening its top part and beginning the swap, and the swap is what remains of
     * it once the pass is done.
     */
    public Map<String, Double> phaseMillis() {
        return phases.medianMillis();
    }

    /**
     * This rank's step before {@code sharpnessFrom} ({@link SplitBatch}): its half of the batch,
     * swapped with the peer's half, and the same base step on both ranks.
     */
    public TrainingMethod<B> dataParallel(SampleSelection<B> selection, GradientSwap peer) {
        return new TrainingMethod<>() {
            @Override
            public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
                phases.start();
                B batch = batches.at(step, scope);
                int size = selection.size(batch);
                B half = selection.select(batch, SplitBatch.rows(rank, size), scope);
                StepSwap swap = new StepSwap(peer, step);
                Gradient mine = objective.gradient(half, BatchNormMode.UPDATE, scope, swap.early());
                phases.lap(GRADIENT_PHASE);
                ParamVector[] halves = swap.finish(mine, scope);
                int first = SplitBatch.rows(0, size).length;
                roles.baseStep(
                        SplitBatch.combine(halves[0], first, halves[1], size - first, scope), lr);
                phases.lap(UPDATE);
                return StepResult.of(mine, 1);
            }

            @Override
            public Map<String, NDArray> stateTensors() {
                return SampaWorker.this.stateTensors();
            }
        };
    }

    /**
     * One step's swap of this rank's gradient with its peer's. With {@code overlap} it begins as
     * soon as the backward pass has made the gradient's top part final (the last tensors of the
     * vector, {@link Objective.EarlyGradient}): that part travels while the pass computes the rest.
     * Without, or for an objective whose pass does not split, it begins once the whole gradient is
     * there.
     */
    private final class StepSwap implements Objective.EarlyGradient {
        private final GradientSwap peer;
        private final long step;
        private GradientSwap.Begun begun; // once the top part is on its way
        private int written; // the first tensor of the part already written

        StepSwap(GradientSwap peer, long step) {
            this.peer = peer;
            this.step = step;
        }

        /** What the gradient pass hands its final part to: this, or null without overlap. */
        Objective.EarlyGradient early() {
            return overlap ? this : null;
        }

        @Override
        public void ready(int first, List<NDArray> tensors) {
            byte[] bytes = wire().start(objective.parameters());
            wire.write(first, tensors);
            begun = peer.begin(step, bytes);
            begun.finalFrom(wire.firstElement(first));
            written = first;
        }

        /**
         * Rank 0's and rank 1's vectors for the step, each as both ranks hold it: on a bf16 wire
         * both as rounded, this rank's own too, since its peer has only the rounded one.
         */
        ParamVector[] finish(Gradient mine, NDManager scope) {
            ParamVector vector = mine.vector();
            WireVectors.Outgoing sent;
            ByteBuffer received;
            if (begun == null) {
                sent = wire().write(vector, scope);
                phases.lap(FLATTEN);
                received = peer.swap(step, sent.bytes());
            } else {
                wire.write(0, vector.tensors().subList(0, written));
                sent = wire.written(vector, scope);
                phases.lap(FLATTEN);
                received = begun.finish();
            }
            phases.lap(SWAP);
            ParamVector own = sent.asSent();
            ParamVector theirs = wire.read(received, objective.parameters(), scope);
            phases.lap(UNFLATTEN);
            return rank == 0 ? new ParamVector[] {own, theirs} : new ParamVector[] {theirs, own};
        }

        /** Made at the first swap, once the peer has agreed on the wire's format. */
        private WireVectors wire() {
            if (wire == null) {
                wire = new WireVectors(peer.wireType());
            }
            return wire;
        }
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return roles.stateTensors(workerOneStatistics);
    }

    /** Rank 1: what only it holds, for rank 0's checkpoint (empty for a model without BN). */
    public float[] ownState() {
        if (rank != 1) {
            throw new IllegalStateException("rank 0's state is in its own checkpoint");
        }
        return workerOneStatistics
                .map(s -> flatten(s, new float[Math.toIntExact(s.elementCount())]))
                .orElse(new float[0]);
    }

    /** Rank 0: keeps rank 1's {@link #ownState} for the next checkpoint. */
    public void keepPeerState(float[] state, NDManager scope) {
        if (rank != 0) {
            throw new IllegalStateException("rank 1 keeps its own state");
        }
        if (workerOneStatistics.isEmpty()) {
            if (state.length != 0) {
                throw new IllegalArgumentException(
                        "rank 1 sent " + state.length + " values of state; the model has none");
            }
            return;
        }
        ParamVector kept = workerOneStatistics.get();
        kept.assign(unflatten(state, kept, scope));
    }

    /**
     * The vector's tensors concatenated in order (rank 1's state as it goes to rank 0), written
     * into {@code flat} (exactly {@link ParamVector#elementCount} long), which is returned. Each
     * tensor's bytes go straight from the tensor's memory into place, with no array of its own in
     * between.
     */
    static float[] flatten(ParamVector v, float[] flat) {
        if (flat.length != v.elementCount()) {
            throw new IllegalArgumentException(
                    "a vector of " + v.elementCount() + " values into " + flat.length);
        }
        int at = 0;
        // On a GPU the bytes come to the host in copies the scope frees (rank 1's statistics
        // live as long as the run, and DJL attaches a copy to the original's manager).
        try (NDManager scope = ParamVector.scopeOver(v)) {
            for (NDArray t : v.tensors()) {
                int n = Math.toIntExact(t.size());
                // A view of the tensor's own memory on the host: toByteBuffer() would copy it
                // into a fresh array.
                t.toByteBuffer(true)
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer()
                        .get(flat, at, n);
                at += n;
            }
        }
        return flat;
    }

    /** A vector shaped like {@code like} holding {@code flat}, owned by {@code owner}. */
    static ParamVector unflatten(float[] flat, ParamVector like, NDManager owner) {
        if (flat.length != like.elementCount()) {
            throw new IllegalArgumentException(
                    "the peer sent "
                            + flat.length
                            + " values, the model has "
                            + like.elementCount());
        }
        List<NDArray> tensors = new ArrayList<>(like.size());
        int at = 0;
        for (NDArray t : like.tensors()) {
            int n = Math.toIntExact(t.size());
            tensors.add(owner.create(FloatBuffer.wrap(flat, at, n).slice(), t.getShape()));
            at += n;
        }
        return new ParamVector(tensors);
    }
}
