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
        return switch (spec.getMethod()) {
            case SGD -> new Sgd<>(objective, base);
            case SAM ->
                    new Sam<>(objective, base, new Perturbation(spec.getRho(), spec.isAdaptive()));
            case KSAM, LOOKSAM, SAMPA ->
                    throw new IllegalArgumentException(
                            "spec.optimizer.method: "
                                    + spec.getMethod()
                                    + " is not available in this build yet");
        };
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
