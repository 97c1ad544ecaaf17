package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.optim.Batches;
import dev.sharpness.trainer.optim.StepResult;
import dev.sharpness.trainer.optim.TrainingMethod;
import java.util.Map;

/**
 * Faults that no honest setting produces, injected into a real run by wrapping its method ({@link
 * TrainingRun#wrappingMethod}), so tests can show how a run and a pair end when they happen.
 */
public final class Faults {
    private Faults() {}

    /**
     * Takes the loss at step {@code step} for NaN, as a rank whose loss overflows first would. No
     * honest setting makes one rank of a pair diverge at a chosen step.
     */
    public static MethodWrapper divergeAt(long step) {
        return (method, network) ->
                after(
                        method,
                        (t, result) ->
                                t != step
                                        ? result
                                        : new StepResult(
                                                Double.NaN,
                                                result.correct(),
                                                result.samples(),
                                                result.sequentialGradients()));
    }

    /**
     * Nudges one parameter after step {@code step}, as a bit flip or a differing library would. The
     * two ranks of a pair apply identical arithmetic to identical swapped vectors, so no honest
     * configuration makes their replicas differ.
     */
    public static MethodWrapper corruptReplicaAfter(long step) {
        return (method, network) ->
                after(
                        method,
                        (t, result) -> {
                            if (t == step) {
                                NDArray first = network.trainable().get(0);
                                NDIndex one = new NDIndex("0");
                                first.set(one, first.get(one).add(1e-3f));
                            }
                            return result;
                        });
    }

    /** What to do with step t's result once the method has taken the step. */
    private interface AfterStep {
        StepResult apply(long step, StepResult result);
    }

    private static TrainingMethod<Batch> after(TrainingMethod<Batch> method, AfterStep after) {
        return new TrainingMethod<>() {
            @Override
            public StepResult step(long step, Batches<Batch> batches, double lr, NDManager scope) {
                return after.apply(step, method.step(step, batches, lr, scope));
            }

            @Override
            public Map<String, NDArray> stateTensors() {
                return method.stateTensors();
            }
        };
    }
}
