package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * SAM's ascent step eps. Plain SAM: {@code eps = rho * g / ||g||}. Adaptive (ASAM): {@code eps =
 * rho * T^2 g / ||T g||} with {@code T = |x| + 0.01} elementwise.
 */
public final class Perturbation {
    /** Added to every norm in a denominator (ALGORITHMS.md). */
    public static final double NORM_EPSILON = 1e-12;

    private static final double ADAPTIVE_OFFSET = 0.01;

    private final double rho;
    private final boolean adaptive;

    public Perturbation(double rho, boolean adaptive) {
        this.rho = rho;
        this.adaptive = adaptive;
    }

    /** eps for gradient {@code g} at parameters {@code x}, owned by {@code into}. */
    public ParamVector of(ParamVector g, ParamVector x, NDManager into) {
        if (!adaptive) {
            ParamVector eps = g.copy(into);
            eps.scale(rho / (g.norm() + NORM_EPSILON));
            return eps;
        }
        List<NDArray> scale = new ArrayList<>(x.size());
        List<NDArray> scaledGradient = new ArrayList<>(x.size());
        for (int i = 0; i < x.size(); i++) {
            NDArray t = x.get(i).abs().addi(ADAPTIVE_OFFSET);
            t.attach(into);
            scale.add(t);
            scaledGradient.add(t.mul(g.get(i)));
        }
        ParamVector tg = new ParamVector(scaledGradient);
        double factor = rho / (tg.norm() + NORM_EPSILON);
        for (int i = 0; i < x.size(); i++) {
            tg.get(i).muli(scale.get(i)).muli(factor);
        }
        return tg;
    }
}
