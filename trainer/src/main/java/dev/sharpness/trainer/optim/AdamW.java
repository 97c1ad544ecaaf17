package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) with PyTorch's semantics: decoupled weight decay, bias-corrected
 * moments.
 *
 * <pre>
 *   x = x * (1 - lr * wd)
 *   m = b1 * m + (1 - b1) * d;   v = b2 * v + (1 - b2) * d^2;   t = t + 1
 *   x = x - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 */
public final class AdamW implements BaseOptimizer {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final ParamVector first;
    private final ParamVector second;

    /** The update count t, a tensor so that checkpoints carry it like any other state. */
    private final NDArray steps;

    public AdamW(
            ParamVector like,
            NDManager owner,
            double beta1,
            double beta2,
            double epsilon,
            double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.first = ParamVector.zerosLike(like, owner);
        this.second = ParamVector.zerosLike(like, owner);
        this.steps = owner.zeros(new Shape(), DataType.INT64);
    }

    @Override
    public void step(ParamVector x, ParamVector direction, double lr) {
        move(x, direction, lr, true);
    }

    @Override
    public void tentativeStep(ParamVector x, ParamVector direction, double lr) {
        move(x, direction, lr, false);
    }

    /** One update of x in place; the moments and the count keep the new values if {@code keep}. */
    private void move(ParamVector x, ParamVector direction, double lr, boolean keep) {
        long t = steps.getLong() + 1;
        if (keep) {
            steps.addi(1);
        }
        try (NDManager scope = ParamVector.scopeOver(x, direction, first, second)) {
            for (int i = 0; i < x.size(); i++) {
                NDArray oldM = first.get(i);
                NDArray oldV = second.get(i);
                NDArray m =
                        (keep ? oldM.muli(beta1) : oldM.mul(beta1))
                                .addi(direction.get(i).mul(1 - beta1));
                NDArray v =
                        (keep ? oldV.muli(beta2) : oldV.mul(beta2))
                                .addi(direction.get(i).square().muli(1 - beta2));
                apply(x.get(i), m, v, t, lr);
            }
        }
    }

    /** The update of update count t given the new moments, in place on {@code x}. */
    private void apply(NDArray x, NDArray m, NDArray v, long t, double lr) {
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(beta2, t));
        if (weightDecay != 0) {
            x.muli(1 - lr * weightDecay);
        }
        NDArray denominator = v.sqrt().divi(sqrtBiasCorrection2).addi(epsilon);
        x.subi(m.div(denominator).muli(lr / biasCorrection1));
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (int i = 0; i < first.size(); i++) {
            state.put("adamw.m." + i, first.get(i));
            state.put("adamw.v." + i, second.get(i));
        }
        state.put("adamw.steps", steps);
        return state;
    }
}
