package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/** The toy objective f(x) = ||x||^2 with its exact gradient 2x: no batches, no noise. */
final class SquaredNorm implements Objective<Void> {
    private final ParamVector x;
    int gradientCalls;

    SquaredNorm(NDManager manager, float... start) {
        this.x = new ParamVector(List.of(manager.create(start)));
    }

    @Override
    public ParamVector parameters() {
        return x;
    }

    @Override
    public Gradient gradient(Void batch, BatchNormMode mode, NDManager into) {
        gradientCalls++;
        NDArray g = x.get(0).mul(2);
        g.attach(into);
        double loss = x.dot(x);
        return new Gradient(new ParamVector(List.of(g)), loss, 0, 1);
    }

    /** ||grad f(x)||^2 = 4 ||x||^2. */
    double gradientNormSquared() {
        return 4 * x.dot(x);
    }

    float[] values() {
        return x.get(0).toFloatArray();
    }
}
