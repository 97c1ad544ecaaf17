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
    }

    @Override
    public void step(ParamVector x, ParamVector direction, double lr) {
        move(x, direction, lr, true);
    }

    @Override
    public void tentativeStep(ParamVector x, ParamVector direction, double lr) {
        move(x, direction, lr, false);
    }

    /** x = x - lr * update, in place; the momentum buffers keep the new values if {@code keep}. */
    private void move(ParamVector x, ParamVector direction, double lr, boolean keep) {
        try (NDManager scope = scope(x, direction)) {
            for (int i = 0; i < x.size(); i++) {
                NDArray g = withDecay(x.get(i), direction.get(i));
                NDArray update = g;
                if (buffers != null) {
                    NDArray old = buffers.get(i);
                    NDArray buf = (keep ? old.muli(momentum) : old.mul(momentum)).addi(g);
                    update = nesterov ? g.add(buf.mul(momentum)) : buf;
                }
                x.get(i).subi(update.mul(lr));
            }
        }
    }

    private NDArray withDecay(NDArray x, NDArray d) {
        return weightDecay == 0 ? d : d.add(x.mul(weightDecay));
    }

    private NDManager scope(ParamVector x, ParamVector direction) {
        return buffers == null
                ? ParamVector.scopeOver(x, direction)
                : ParamVector.scopeOver(x, direction, buffers);
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
