package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sharpness.api.v1alpha1.ScheduleSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * ALGORITHMS.md property 9 and AdamW, against plain-Java references on f(x) = ||x||^2; and SAMPa's
 * tentative step against the step itself.
 */
class BaseOptimizerTest {
    /** A manager of its own for each test (JUnit makes an instance per test), closed after it. */
    @AutoClose private final NDManager manager = NDManager.newBaseManager();

    @Test
    void sgdMomentumUnderCosineScheduleMatchesPyTorchSemantics() {
        ScheduleSpec cosine = new ScheduleSpec();
        cosine.setWarmupEpochs(1);
        LearningRateSchedule schedule = new LearningRateSchedule(cosine, 0.1, 10, 5);
        double mu = 0.9, wd = 5e-4;
        SquaredNorm f = new SquaredNorm(manager, 1, -2);
        Sgd<Void> sgd = new Sgd<>(f, new SgdMomentum(f.parameters(), manager, mu, wd, false));
        double[] w = {1, -2};
        double[] buf = {0, 0};
        for (int t = 0; t < 50; t++) {
            double lr = schedule.at(t);
            for (int i = 0; i < 2; i++) {
                buf[i] = mu * buf[i] + 2 * w[i] + wd * w[i];
                w[i] -= lr * buf[i];
            }
            try (NDManager scope = manager.newSubManager()) {
                sgd.step(t, (i, owner) -> null, lr, scope);
            }
            float[] x = f.values();
            assertThat((double) x[0]).isCloseTo(w[0], within(1e-5 * Math.max(1, Math.abs(w[0]))));
            assertThat((double) x[1]).isCloseTo(w[1], within(1e-5 * Math.max(1, Math.abs(w[1]))));
        }
    }

    @Test
    void nesterovAddsTheMomentumLookAhead() {
        SquaredNorm f = new SquaredNorm(manager, 1);
        Sgd<Void> sgd = new Sgd<>(f, new SgdMomentum(f.parameters(), manager, 0.5, 0, true));
        double w = 1, buf = 0, lr = 0.1;
        for (int t = 0; t < 10; t++) {
            double g = 2 * w;
            buf = 0.5 * buf + g;
            w -= lr * (g + 0.5 * buf);
            try (NDManager scope = manager.newSubManager()) {
                sgd.step(t, (i, owner) -> null, lr, scope);
            }
            assertThat((double) f.values()[0]).isCloseTo(w, within(1e-6));
        }
    }

    @Test
    void adamWMatchesTheDecoupledUpdate() {
        double b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01, lr = 0.01;
        SquaredNorm f = new SquaredNorm(manager, 0.5f);
        Sgd<Void> adam = new Sgd<>(f, new AdamW(f.parameters(), manager, b1, b2, eps, wd));
        double w = 0.5, m = 0, v = 0;
        for (int t = 1; t <= 20; t++) {
            double g = 2 * w;
            w *= 1 - lr * wd;
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            w -= lr * (m / (1 - Math.pow(b1, t))) / (Math.sqrt(v / (1 - Math.pow(b2, t))) + eps);
            try (NDManager scope = manager.newSubManager()) {
                adam.step(t, (i, owner) -> null, lr, scope);
            }
            assertThat((double) f.values()[0]).isCloseTo(w, within(1e-6));
        }
    }

    /**
     * SAMPa's y step moves x in place to exactly what the step would give, and leaves the
     * optimizer's state (momentum buffers, AdamW's moments and count) as it was.
     */
    @Test
    void theTentativeStepIsTheStepWithoutTouchingTheState() {
        ParamVector like = vector(3);
        for (BaseOptimizer base :
                new BaseOptimizer[] {
                    new SgdMomentum(like, manager, 0.9, 5e-4, true),
                    new AdamW(like, manager, 0.9, 0.999, 1e-8, 0.01)
                }) {
            ParamVector x = vector(1);
            for (int t = 0; t < 3; t++) {
                base.step(x, vector(10 + t), 0.1);
            }
            Map<String, float[]> state = values(base.stateTensors());
            ParamVector direction = vector(20);
            ParamVector y = x.copy(manager);

            base.tentativeStep(y, direction, 0.1);

            assertThat(values(base.stateTensors()))
                    .as("state")
                    .usingRecursiveComparison()
                    .isEqualTo(state);
            base.step(x, direction, 0.1);
            for (int i = 0; i < x.size(); i++) {
                assertThat(y.get(i).toFloatArray()).isEqualTo(x.get(i).toFloatArray());
            }
        }
    }

    /** Two tensors of random values, the same for the same seed. */
    private ParamVector vector(int seed) {
        manager.getEngine().setRandomSeed(seed);
        return new ParamVector(
                List.of(manager.randomNormal(new Shape(4, 3)), manager.randomNormal(new Shape(5))));
    }

    private static Map<String, float[]> values(Map<String, NDArray> tensors) {
        Map<String, float[]> values = new TreeMap<>();
        tensors.forEach(
                (name, t) -> values.put(name, t.toType(DataType.FLOAT32, true).toFloatArray()));
        return values;
    }

    @Test
    void schedulesFollowTheirFormulas() {
        ScheduleSpec step = new ScheduleSpec();
        step.setType(ScheduleSpec.Type.STEP);
        step.getMilestones().addAll(java.util.List.of(2, 4));
        LearningRateSchedule s = new LearningRateSchedule(step, 1.0, 10, 6);
        assertThat(s.at(19)).isEqualTo(1.0);
        assertThat(s.at(20)).isCloseTo(0.1, within(1e-12));
        assertThat(s.at(45)).isCloseTo(0.01, within(1e-12));

        ScheduleSpec cosine = new ScheduleSpec();
        LearningRateSchedule c = new LearningRateSchedule(cosine, 1.0, 10, 2);
        assertThat(c.at(0)).isEqualTo(1.0);
        assertThat(c.at(10)).isCloseTo(0.5, within(1e-12));
        cosine.setPer(ScheduleSpec.Granularity.EPOCH);
        assertThat(c.at(9)).isEqualTo(1.0);

        ScheduleSpec warm = new ScheduleSpec();
        warm.setType(ScheduleSpec.Type.CONSTANT);
        warm.setWarmupEpochs(1);
        LearningRateSchedule w = new LearningRateSchedule(warm, 1.0, 4, 3);
        assertThat(w.at(0)).isEqualTo(0.25);
        assertThat(w.at(3)).isEqualTo(1.0);
        assertThat(w.at(11)).isEqualTo(1.0);
    }
}
