package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * The step's temporaries, overwritten every step rather than allocated (see {@link Workspace}):
     * a tentative step's moments (the first also holds a kept step's quotient), and one for the
     * scaled gradient, its square and the denominator in turn.
     */
    private final ParamVector tentativeFirst;

    private final ParamVector tentativeSecond;
    private final ParamVector scratch;

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
        this.tentativeFirst = ParamVector.zerosLike(like, owner);
        this.tentativeSecond = ParamVector.zerosLike(like, owner);
        this.scratch = ParamVector.zerosLike(like, owner);
    }

    @Override
    public void step(ParamVector x, ParamVector direction, double lr) {
        move(x, direction, lr, true);
    }

    @Override
    public void tentativeStep(ParamVector x, ParamVector direction, double lr) {
        move(x, direction, lr, false);
    }

    /**
     * One update of x in place; the moments and the count keep the new values if {@code keep}.
     * Every operation is the formula's, in its order, computed in the reused tensors.
     */
    private void move(ParamVector x, ParamVector direction, double lr, boolean keep) {
        long t;
        // On a GPU the count comes to the host in a copy the scope frees; the count itself
        // lives as long as the run.
        try (NDManager scope = ParamVector.scopeOver(List.of(steps))) {
            t = steps.getLong() + 1;
        }
        if (keep) {
            steps.addi(1);
        }
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(beta2, t));
        // sqrt(v) is the one temporary left (DJL has no in-place square root, and v^0.5 is not
        // the same bits); the scope frees it.
        try (NDManager scope = ParamVector.scopeOver(second, tentativeSecond)) {
            for (int i = 0; i < x.size(); i++) {
                NDArray d = direction.get(i);
                NDArray work = scratch.get(i);
                NDArray spare = tentativeFirst.get(i);
                NDArray m = keep ? first.get(i) : ParamVector.copy(first.get(i), spare);
                m.muli(beta1).addi(ParamVector.copy(d, work).muli(1 - beta1));
                NDArray v =
                        keep
                                ? second.get(i)
                                : ParamVector.copy(second.get(i), tentativeSecond.get(i));
                NDArray squared = ParamVector.copy(d, work);
                // PyTorch computes d^2 as d * d: the same bits.
                v.muli(beta2).addi(squared.muli(squared).muli(1 - beta2));
                NDArray denominator = v.sqrt().divi(sqrtBiasCorrection2).addi(epsilon);
                // A kept m is state: the quotient goes into the spare tensor.
                NDArray update = (keep ? ParamVector.copy(m, spare) : m).divi(denominator);
                if (weightDecay != 0) {
                    x.get(i).muli(1 - lr * weightDecay);
                }
                x.get(i).subi(update.muli(lr / biasCorrection1));
            }
        }
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
