package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sharpness only late in training ({@code spec.optimizer.sharpnessFrom}): steps before {@code
 * firstStep} are taken by a cheaper method (the base optimizer's plain step), the steps from it on
 * by the sharpness-aware method, which sees {@code firstStep} as its own step 0: LookSAM's first
 * step there is a SAM step, SAMPa starts with no carried gradient, exactly as at the start of a
 * run. The batches and the learning rate stay those of the global step. Both share one base
 * optimizer, so momentum carries over the switch.
 */
public final class LateSharpness<B> implements TrainingMethod<B> {
    private final TrainingMethod<B> before;
    private final TrainingMethod<B> method;
    private final long firstStep;

    public LateSharpness(TrainingMethod<B> before, TrainingMethod<B> method, long firstStep) {
        this.before = before;
        this.method = method;
        this.firstStep = firstStep;
    }

    @Override
    public StepResult step(long step, Batches<B> batches, double lr, NDManager scope) {
        if (step < firstStep) {
            return before.step(step, batches, lr, scope);
        }
        return method.step(
                step - firstStep, (t, owner) -> batches.at(t + firstStep, owner), lr, scope);
    }

    /** The sharpness-aware method that takes over. */
    public TrainingMethod<B> method() {
        return method;
    }

    /** Both methods' state, so a checkpoint on either side of the switch resumes exactly. */
    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> state = new LinkedHashMap<>(before.stateTensors());
        state.putAll(method.stateTensors());
        return state;
    }
}
