package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * ALGORITHMS.md property 10 (the paper's Figure 1): naive parallel SAM variants fail on f(x) =
 * ||x||^2, SAMPa converges; and property 7 on a linear loss.
 */
class SampaOnToyProblemTest {
    private static final double RHO = 0.1;
    private static final Batches<Void> NO_DATA = (t, owner) -> null;

    /** A manager of its own for each test (JUnit makes an instance per test), closed after it. */
    @AutoClose private final NDManager manager = NDManager.newBaseManager();

    /** Mean ||grad f||^2 over the last 100 of {@code steps} steps of lr_t = 0.1 / sqrt(t + 1). */
    private double tailWithDecayingStep(TrainingMethod<Void> method, SquaredNorm f, int steps) {
        double tail = 0;
        for (int t = 0; t < steps; t++) {
            try (NDManager scope = manager.newSubManager()) {
                method.step(t, NO_DATA, 0.1 / Math.sqrt(t + 1), scope);
            }
            if (t >= steps - 100) {
                tail += f.gradientNormSquared() / 100;
            }
        }
        return tail;
    }

    private Sampa<Void> sampa(SquaredNorm f, double lambda) {
        return new Sampa<>(
                f,
                new SgdMomentum(f.parameters(), manager, 0, 0, false),
                new Perturbation(RHO, false),
                lambda,
                manager);
    }

    @Test
    void sampaZeroAndHalfConvergeWithADecayingStep() {
        for (double lambda : new double[] {0, 0.5}) {
            SquaredNorm f = new SquaredNorm(manager, 1, 1);
            assertThat(tailWithDecayingStep(sampa(f, lambda), f, 20000))
                    .as("SAMPa-" + lambda)
                    .isLessThan(1e-7);
        }
    }

    @Test
    void perturbingAlongThePreviousPerturbedGradientLocksIn() {
        SquaredNorm f = new SquaredNorm(manager, 1, 1);
        OptimisticSam opt = new OptimisticSam(f);
        for (int t = 0; t < 2000; t++) {
            try (NDManager scope = manager.newSubManager()) {
                opt.step(t, NO_DATA, 0.1, scope);
            }
        }
        // Locks in at ||grad f||^2 = 4 rho^2 and never converges.
        assertThat(f.gradientNormSquared())
                .isCloseTo(4 * RHO * RHO, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void perturbingAlongARandomDirectionStaysFarAboveSam() {
        SquaredNorm viaRandom = new SquaredNorm(manager, 1, 1);
        SquaredNorm viaSam = new SquaredNorm(manager, 1, 1);
        RandomSam random = new RandomSam(viaRandom, new Random(3));
        Sam<Void> sam =
                new Sam<>(
                        viaSam,
                        new SgdMomentum(viaSam.parameters(), manager, 0, 0, false),
                        new Perturbation(RHO, false),
                        manager);
        double randomTail = 0;
        double samTail = 0;
        for (int t = 0; t < 3000; t++) {
            try (NDManager scope = manager.newSubManager()) {
                random.step(t, NO_DATA, 0.1, scope);
                sam.step(t, NO_DATA, 0.1, scope);
            }
            if (t >= 2900) {
                randomTail += viaRandom.gradientNormSquared() / 100;
                samTail += viaSam.gradientNormSquared() / 100;
            }
        }
        assertThat(randomTail).isGreaterThan(10 * samTail);
    }

    @Test
    void onALinearLossTheYStepLandsOnTheNextX() {
        Linear f = new Linear(manager, new float[] {0.3f, -1.2f, 2f}, new float[] {1, 2, -1});
        SgdMomentum base = new SgdMomentum(f.parameters(), manager, 0.9, 5e-4, false);
        Sampa<Void> sampa = new Sampa<>(f, base, new Perturbation(RHO, false), 0.2, manager);
        for (int t = 0; t < 30; t++) {
            try (NDManager scope = manager.newSubManager()) {
                sampa.step(t, NO_DATA, 0.05, scope);
            }
            if (t >= 1) {
                // The y of step t (y_{t+1}) went through momentum and weight decay exactly as x
                // did.
                assertThat(f.lastPoint(1))
                        .as("step " + t)
                        .containsExactly(f.parameters().get(0).toFloatArray());
            }
        }
    }

    /** f(x) = <c, x>: the gradient is c everywhere; remembers where it was evaluated. */
    private static final class Linear implements Objective<Void> {
        private final ParamVector x;
        private final float[] c;
        private final float[][] points = new float[2][];
        private int calls;

        Linear(NDManager manager, float[] start, float[] c) {
            this.x = new ParamVector(List.of(manager.create(start)));
            this.c = c;
        }

        @Override
        public ParamVector parameters() {
            return x;
        }

        @Override
        public Gradient gradient(Void batch, BatchNormMode mode, NDManager into) {
            points[calls++ % 2] = x.get(0).toFloatArray();
            return new Gradient(new ParamVector(List.of(into.create(c))), 0, 0, 1);
        }

        /**
         * Where the gradient was evaluated by call {@code i} (0: rank 0, 1: rank 1) of the last
         * step.
         */
        float[] lastPoint(int i) {
            return points[i];
        }
    }

    /** "OptSAM": x~_t = x_t + rho g(x~_{t-1}) / ||.||, x_{t+1} = x_t - lr g(x~_t). */
    private final class OptimisticSam implements TrainingMethod<Void> {
        private final SquaredNorm f;
        private final ParamVector previous;

        OptimisticSam(SquaredNorm f) {
            this.f = f;
            this.previous = ParamVector.zerosLike(f.parameters(), manager);
        }

        @Override
        public StepResult step(long step, Batches<Void> batches, double lr, NDManager scope) {
            ParamVector x = f.parameters();
            ParamVector origin = x.copy(scope);
            x.addScaled(new Perturbation(RHO, false).of(previous, x, scope), 1);
            Gradient g = f.gradient(null, BatchNormMode.UPDATE, scope);
            x.assign(origin);
            x.addScaled(g.vector(), -lr);
            previous.assign(g.vector());
            return StepResult.of(g, 1);
        }

        @Override
        public java.util.Map<String, NDArray> stateTensors() {
            return java.util.Map.of();
        }
    }

    /** "RandSAM": perturb by rho along a random Gaussian direction. */
    private final class RandomSam implements TrainingMethod<Void> {
        private final SquaredNorm f;
        private final Random random;

        RandomSam(SquaredNorm f, Random random) {
            this.f = f;
            this.random = random;
        }

        @Override
        public StepResult step(long step, Batches<Void> batches, double lr, NDManager scope) {
            ParamVector x = f.parameters();
            ParamVector origin = x.copy(scope);
            float[] direction = {(float) random.nextGaussian(), (float) random.nextGaussian()};
            ParamVector u = new ParamVector(List.of(scope.create(direction)));
            x.addScaled(u, RHO / u.norm());
            Gradient g = f.gradient(null, BatchNormMode.UPDATE, scope);
            x.assign(origin);
            x.addScaled(g.vector(), -lr);
            return StepResult.of(g, 2);
        }

        @Override
        public java.util.Map<String, NDArray> stateTensors() {
            return java.util.Map.of();
        }
    }
}
