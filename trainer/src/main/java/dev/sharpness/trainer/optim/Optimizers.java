package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.BaseOptimizerSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;

/** Builds the training method and base optimizer a spec names. */
public final class Optimizers {
    private Optimizers() {}

    /**
     * The method of {@code spec} over {@code objective}; its state tensors are owned by {@code
     * owner}.
     */
    public static <B> TrainingMethod<B> method(
            OptimizerSpec spec, Objective<B> objective, NDManager owner) {
        BaseOptimizer base = base(spec.getBase(), objective.parameters(), owner);
        Perturbation perturbation = new Perturbation(spec.getRho(), spec.isAdaptive());
        return switch (spec.getMethod()) {
            case SGD -> new Sgd<>(objective, base);
            case SAM -> new Sam<>(objective, base, perturbation);
            case KSAM -> {
                if (!(objective instanceof SampleSelection<?>)) {
                    throw new IllegalArgumentException(
                            "spec.optimizer.method: KSAM needs per-sample losses, which this objective lacks");
                }
                @SuppressWarnings("unchecked")
                SampleSelection<B> selection = (SampleSelection<B>) objective;
                // k is resolved against the batch when the step sees it; the count is capped there.
                yield new KSam<>(objective, selection, base, perturbation, spec.ksamOrDefaults());
            }
            case LOOKSAM ->
                    new LookSam<>(
                            objective,
                            base,
                            perturbation,
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
                            owner);
        };
    }

    /**
     * Rank {@code rank}'s half of a SAMPa pair of {@code spec}, trading gradients through {@code
     * peer}.
     */
    public static <B> SampaWorker<B> sampaWorker(
            OptimizerSpec spec,
            Objective<B> objective,
            NDManager owner,
            int rank,
            GradientSwap peer) {
        return new SampaWorker<>(
                rank,
                objective,
                base(spec.getBase(), objective.parameters(), owner),
                new Perturbation(spec.getRho(), spec.isAdaptive()),
                spec.sampaOrDefaults().getLambda(),
                peer,
                owner);
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
