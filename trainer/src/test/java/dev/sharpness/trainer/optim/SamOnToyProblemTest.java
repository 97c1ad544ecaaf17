package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** ALGORITHMS.md property 10 (SAM's part) and property 1's ||eps|| = rho, on f(x) = ||x||^2. */
class SamOnToyProblemTest {
    private static final double RHO = 0.1;

    /** A manager of its own for each test (JUnit makes an instance per test), closed after it. */
    @AutoClose private final NDManager manager = NDManager.newBaseManager();

    private Sam<Void> sam(SquaredNorm f) {
        return new Sam<>(
                f,
                new SgdMomentum(f.parameters(), manager, 0, 0, false),
                new Perturbation(RHO, false),
                manager);
    }

    @Test
    void samWithConstantStepSettlesInTheTwoCycleThePaperPredicts() {
        SquaredNorm f = new SquaredNorm(manager, 1, 1);
        Sam<Void> sam = sam(f);
        double lr = 0.1;
        for (int t = 0; t < 2000; t++) {
            try (NDManager scope = manager.newSubManager()) {
                sam.step(t, (i, owner) -> null, lr, scope);
            }
        }
        double predicted = 4 * lr * lr * RHO * RHO / ((1 - lr) * (1 - lr));
        assertThat(predicted).isCloseTo(4.9383e-4, within(1e-8));
        for (int t = 0; t < 4; t++) {
            try (NDManager scope = manager.newSubManager()) {
                sam.step(t, (i, owner) -> null, lr, scope);
            }
            assertThat(f.gradientNormSquared()).isCloseTo(predicted, within(predicted * 1e-3));
        }
    }

    @Test
    void samWithDecayingStepConverges() {
        SquaredNorm f = new SquaredNorm(manager, 1, 1);
        Sam<Void> sam = sam(f);
        int steps = 20000;
        double tail = 0;
        for (int t = 0; t < steps; t++) {
            try (NDManager scope = manager.newSubManager()) {
                sam.step(t, (i, owner) -> null, 0.1 / Math.sqrt(t + 1), scope);
            }
            if (t >= steps - 100) {
                tail += f.gradientNormSquared() / 100;
            }
        }
        assertThat(tail).isLessThan(1e-7);
    }

    @Test
    void everySamPerturbationHasNormRho() {
        SquaredNorm f = new SquaredNorm(manager, 3, -4);
        Perturbation perturbation = new Perturbation(RHO, false);
        Sam<Void> sam = sam(f);
        for (int t = 0; t < 50; t++) {
            try (NDManager scope = manager.newSubManager()) {
                ParamVector eps =
                        perturbation.of(
                                f.gradient(null, BatchNormMode.UPDATE, scope).vector(),
                                f.parameters(),
                                scope);
                assertThat(eps.norm()).isCloseTo(RHO, within(1e-7));
                sam.step(t, (i, owner) -> null, 0.05, scope);
            }
        }
    }

    @Test
    void samWithZeroRhoIsExactlyTheBaseOptimizer() {
        SquaredNorm viaSam = new SquaredNorm(manager, 0.7f, -1.3f);
        SquaredNorm viaSgd = new SquaredNorm(manager, 0.7f, -1.3f);
        Sam<Void> sam =
                new Sam<>(
                        viaSam,
                        new SgdMomentum(viaSam.parameters(), manager, 0.9, 5e-4, false),
                        new Perturbation(0, false),
                        manager);
        Sgd<Void> sgd =
                new Sgd<>(viaSgd, new SgdMomentum(viaSgd.parameters(), manager, 0.9, 5e-4, false));
        for (int t = 0; t < 100; t++) {
            try (NDManager scope = manager.newSubManager()) {
                sam.step(t, (i, owner) -> null, 0.05, scope);
                sgd.step(t, (i, owner) -> null, 0.05, scope);
            }
            assertThat(viaSam.values()).containsExactly(viaSgd.values());
        }
    }

    @Test
    void adaptivePerturbationFollowsTheAsamFormula() {
        SquaredNorm f = new SquaredNorm(manager, 2, -0.5f);
        try (NDManager scope = manager.newSubManager()) {
            ParamVector g = f.gradient(null, BatchNormMode.UPDATE, scope).vector();
            float[] eps =
                    new Perturbation(0.5, true).of(g, f.parameters(), scope).get(0).toFloatArray();
            // T = |x| + 0.01; eps = rho T^2 g / ||T g||, g = 2x = (4, -1)
            double t0 = 2.01, t1 = 0.51, g0 = 4, g1 = -1;
            double norm = Math.hypot(t0 * g0, t1 * g1);
            assertThat((double) eps[0]).isCloseTo(0.5 * t0 * t0 * g0 / norm, within(1e-6));
            assertThat((double) eps[1]).isCloseTo(0.5 * t1 * t1 * g1 / norm, within(1e-6));
        }
    }
}
