package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum, Nesterov and coupled weight decay, with PyTorch's semantics:
 *
 * <pre>
 *   buf = mu * buf + (d + wd * x)
 *   x   = x - lr * buf                       (Nesterov: x - lr * (d + wd * x + mu * buf))
 * </pre>
 *
 * The learning rate stays outside the buffer (DJL's {@code Sgd} keeps it inside, which differs as
 * soon as a schedule changes it). The buffer starts at zero, which gives PyTorch's first step
 * {@code buf = d + wd * x} exactly.
 */
public final class SgdMomentum implements BaseOptimizer {
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final ParamVector buffers;

    /**
     * The step's temporaries, overwritten every step rather than allocated (see {@link Workspace}):
     * the update, and (with momentum) a tentative step's buffer or mu * buf.
     */
    private final ParamVector update;

    private final ParamVector spare;

    public SgdMomentum(
            ParamVector like,
            NDManager owner,
            double momentum,
            double weightDecay,
            boolean nesterov) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffers = momentum == 0 ? null : ParamVector.zerosLike(like, owner);
        this.update = ParamVector.zerosLike(like, owner);
        this.spare = momentum == 0 ? null : ParamVector.zerosLike(like, owner);
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
     * x = x - lr * update, in place; the momentum buffers keep the new values if {@code keep}.
     * Every product and sum is the formula's, in the formula's order (a + b and b + a are the same
     * bits), computed in the reused tensors.
     */
    private void move(ParamVector x, ParamVector direction, double lr, boolean keep) {
        for (int i = 0; i < x.size(); i++) {
            NDArray g = update.get(i);
            if (weightDecay == 0) {
                ParamVector.copy(direction.get(i), g);
            } else {
                ParamVector.copy(x.get(i), g).muli(weightDecay).addi(direction.get(i));
            }
            if (buffers != null) {
                NDArray buf =
                        keep ? buffers.get(i) : ParamVector.copy(buffers.get(i), spare.get(i));
                buf.muli(momentum).addi(g);
                // A tentative step's buffer is not needed after this: it is scaled in place.
                if (nesterov) {
                    NDArray ahead = keep ? ParamVector.copy(buf, spare.get(i)) : buf;
                    g.addi(ahead.muli(momentum));
                } else {
                    g = keep ? ParamVector.copy(buf, g) : buf;
                }
            }
            x.get(i).subi(g.muli(lr));
        }
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        if (buffers != null) {
            for (int i = 0; i < buffers.size(); i++) {
                state.put("sgd.momentum." + i, buffers.get(i));
            }
        }
        return state;
    }
}
