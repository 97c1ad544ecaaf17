package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sharpness.api.v1alpha1.BaseOptimizerSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import java.nio.ByteBuffer;

/** Builds the training method and base optimizer a spec names. */
public final class Optimizers {
    private Optimizers() {}

    /**
     * The method of {@code spec} over {@code objective}; its state tensors are owned by {@code
     * owner}.
     */
    public static <B> TrainingMethod<B> method(
            OptimizerSpec spec, Objective<B> objective, NDManager owner) {
        return method(spec, objective, owner, 0);
    }

    /**
     * The method of {@code spec}, taking over from the base optimizer's plain steps at {@code
     * firstSharpStep} (0: from the start; see {@code spec.optimizer.sharpnessFrom}).
     */
    public static <B> TrainingMethod<B> method(
            OptimizerSpec spec, Objective<B> objective, NDManager owner, long firstSharpStep) {
        return method(spec, objective, owner, firstSharpStep, DataType.FLOAT32);
    }

    /**
     * The method of {@code spec} from {@code firstSharpStep}; SAMPa, played serially, with its
     * gradients as {@code sampaWire} (float32 or bfloat16) carries them between its pair's ranks.
     */
    public static <B> TrainingMethod<B> method(
            OptimizerSpec spec,
            Objective<B> objective,
            NDManager owner,
            long firstSharpStep,
            DataType sampaWire) {
        BaseOptimizer base = base(spec.getBase(), objective.parameters(), owner);
        TrainingMethod<B> method = method(spec, objective, base, sampaWire, owner);
        if (firstSharpStep == 0) {
            return method;
        }
        TrainingMethod<B> before =
                method instanceof Sampa<B> sampa
                        ? sampa.dataParallel(selection(objective, "SAMPa before sharpnessFrom"))
                        : new Sgd<>(objective, base);
        return new LateSharpness<>(before, method, firstSharpStep);
    }

    private static <B> TrainingMethod<B> method(
            OptimizerSpec spec,
            Objective<B> objective,
            BaseOptimizer base,
            DataType sampaWire,
            NDManager owner) {
        Perturbation perturbation = new Perturbation(spec.getRho(), spec.isAdaptive());
        return switch (spec.getMethod()) {
            case SGD -> new Sgd<>(objective, base);
            case SAM -> new Sam<>(objective, base, perturbation, owner);
            case KSAM ->
                    // k is resolved against the batch when the step sees it; the count is capped
                    // there.
                    new KSam<>(
                            objective,
                            selection(objective, "KSAM"),
                            base,
                            perturbation,
                            spec.ksamOrDefaults(),
                            owner);
            case LOOKSAM ->
                    new LookSam<>(
                            objective,
                            base,
                            spec.lookSamOrDefaults().isLayerwise()
                                    ? Perturbation.layerwise(spec.getRho())
                                    : perturbation,
                            spec.lookSamOrDefaults().getInterval(),
                            spec.lookSamOrDefaults().getAlpha(),
                            spec.lookSamOrDefaults().isPerTensor(),
                            owner);
            case SAMPA ->
                    new Sampa<>(
                            objective,
                            base,
                            perturbation,
                            spec.sampaOrDefaults().getLambda(),
                            sampaWire,
                            owner);
        };
    }

    /**
     * Rank {@code rank}'s half of a SAMPa pair of {@code spec}, trading gradients through {@code
     * peer}, whose method starts at {@code firstSharpStep} (0: from the start). Until then the pair
     * runs data-parallel SGD ({@link SplitBatch}); from then on the worker counts its own steps
     * from there, and its swaps keep the global step numbers. With {@code overlapBackward} each
     * swap begins while the backward pass computes the gradient's lower part ({@link SampaWorker}).
     */
    public static <B> SampaRank<B> sampaRank(
            OptimizerSpec spec,
            Objective<B> objective,
            NDManager owner,
            int rank,
            GradientSwap peer,
            long firstSharpStep,
            boolean overlapBackward) {
        SampaWorker<B> worker =
                new SampaWorker<>(
                        rank,
                        objective,
                        base(spec.getBase(), objective.parameters(), owner),
                        new Perturbation(spec.getRho(), spec.isAdaptive()),
                        spec.sampaOrDefaults().getLambda(),
                        firstSharpStep == 0 ? peer : shifted(peer, firstSharpStep),
                        overlapBackward,
                        owner);
        if (firstSharpStep == 0) {
            return new SampaRank<>(worker, worker);
        }
        SampleSelection<B> selection = selection(objective, "SAMPa before sharpnessFrom");
        return new SampaRank<>(
                worker,
                new LateSharpness<>(worker.dataParallel(selection, peer), worker, firstSharpStep));
    }

    /**
     * One rank of a SAMPa pair: the worker (whose state the pair hands over) and the method the
     * loop steps, which is the worker itself unless sharpness starts late.
     */
    public record SampaRank<B>(SampaWorker<B> worker, TrainingMethod<B> method) {}

    /** {@code peer} for a method that counts its steps from {@code offset}. */
    private static GradientSwap shifted(GradientSwap peer, long offset) {
        return new GradientSwap() {
            @Override
            public DataType wireType() {
                return peer.wireType();
            }

            @Override
            public ByteBuffer swap(long step, byte[] mine) {
                return peer.swap(step + offset, mine);
            }

            @Override
            public Begun begin(long step, byte[] mine) {
                return peer.begin(step + offset, mine);
            }
        };
    }

    private static <B> SampleSelection<B> selection(Objective<B> objective, String user) {
        if (!(objective instanceof SampleSelection<?>)) {
            throw new IllegalStateException(
                    user + " needs batches it can cut into samples, which this objective lacks");
        }
        @SuppressWarnings("unchecked")
        SampleSelection<B> selection = (SampleSelection<B>) objective;
        return selection;
    }

    /** The base optimizer of {@code spec} for parameters shaped like {@code like}. */
    public static BaseOptimizer base(BaseOptimizerSpec spec, ParamVector like, NDManager owner) {
        return switch (spec.getType()) {
            case SGD ->
                    new SgdMomentum(
                            like,
                            owner,
                            spec.getMomentum(),
                            spec.getWeightDecay(),
                            spec.isNesterov());
            case ADAMW ->
                    new AdamW(
                            like,
                            owner,
                            spec.getBetas().get(0),
                            spec.getBetas().get(1),
                            spec.getEpsilon(),
                            spec.getWeightDecay());
        };
    }
}
