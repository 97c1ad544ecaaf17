package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * SAM's ascent step eps, by one of three rules:
 *
 * <ul>
 *   <li>plain SAM: {@code eps = rho * g / ||g||}, so {@code ||eps|| = rho};
 *   <li>adaptive (ASAM): {@code eps = rho * T^2 g / ||T g||} with {@code T = |x| + 0.01}
 *       elementwise;
 *   <li>layer-wise (Look-LayerSAM): {@code eps_j = rho * ||x_j|| * g_j / ||g_j||} for every
 *       parameter tensor j, so each tensor is perturbed by the fraction rho of its own norm (a
 *       tensor that is all zeros, such as a freshly initialized bias, is not perturbed).
 * </ul>
 */
public final class Perturbation {
    /** Added to every norm in a denominator (ALGORITHMS.md). */
    public static final double NORM_EPSILON = 1e-12;

    private static final double ADAPTIVE_OFFSET = 0.01;

    private enum Rule {
        GLOBAL,
        ADAPTIVE,
        LAYERWISE
    }

    private final double rho;
    private final Rule rule;

    /** Plain SAM's rule, or ASAM's when {@code adaptive}. */
    public Perturbation(double rho, boolean adaptive) {
        this(rho, adaptive ? Rule.ADAPTIVE : Rule.GLOBAL);
    }

    private Perturbation(double rho, Rule rule) {
        this.rho = rho;
        this.rule = rule;
    }

    /** Look-LayerSAM's rule: each tensor's eps has norm {@code rho * ||x_j||}. */
    public static Perturbation layerwise(double rho) {
        return new Perturbation(rho, Rule.LAYERWISE);
    }

    /** eps for gradient {@code g} at parameters {@code x}, owned by {@code into}. */
    public ParamVector of(ParamVector g, ParamVector x, NDManager into) {
        return switch (rule) {
            case GLOBAL -> global(g, into);
            case ADAPTIVE -> adaptive(g, x, into);
            case LAYERWISE -> layerwise(g, x, into);
        };
    }

    /**
     * Adds eps for gradient {@code g} at {@code x} to {@code x}, in place: {@code x + of(g, x)},
     * the same bits. Under plain SAM's rule eps is never made: x takes {@code g} scaled in {@code
     * scratch} (shaped like x, overwritten), one parameter-sized pass and allocation less; the
     * other rules make eps in {@code scope}.
     */
    public void addTo(ParamVector x, ParamVector g, ParamVector scratch, NDManager scope) {
        if (rule == Rule.GLOBAL) {
            x.addScaled(g, globalFactor(g), scratch);
        } else {
            x.addScaled(of(g, x, scope), 1);
        }
    }

    private double globalFactor(ParamVector g) {
        return rho / (g.norm() + NORM_EPSILON);
    }

    private ParamVector global(ParamVector g, NDManager into) {
        ParamVector eps = g.copy(into);
        eps.scale(globalFactor(g));
        return eps;
    }

    private ParamVector adaptive(ParamVector g, ParamVector x, NDManager into) {
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

    private ParamVector layerwise(ParamVector g, ParamVector x, NDManager into) {
        ParamVector eps = g.copy(into);
        for (int j = 0; j < x.size(); j++) {
            ParamVector xj = new ParamVector(List.of(x.get(j)));
            ParamVector gj = new ParamVector(List.of(g.get(j)));
            eps.get(j).muli(rho * xj.norm() / (gj.norm() + NORM_EPSILON));
        }
        return eps;
    }
}
