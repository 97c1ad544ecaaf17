package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The optimizers' arithmetic runs in tensors they keep from step to step ({@link Workspace}); each
 * result must have the bits of the formula written the plain way, every operation in a fresh
 * tensor: that is what every checkpoint, every pair and the serial emulation were computed with.
 */
class ReusedTensorsTest {
    /** A manager of its own for each test (JUnit makes an instance per test), closed after it. */
    @AutoClose private final NDManager manager = NDManager.newBaseManager();

    @ParameterizedTest(name = "mu {0}, wd {1}, nesterov {2}")
    @CsvSource({
        "0, 0, false",
        "0, 5e-4, false",
        "0.9, 0, false",
        "0.9, 0, true",
        "0.9, 5e-4, false",
        "0.9, 5e-4, true"
    })
    void sgdMomentumStepsHaveTheFormulasBits(double mu, double wd, boolean nesterov) {
        SgdMomentum base = new SgdMomentum(vector(0), manager, mu, wd, nesterov);
        ParamVector x = vector(1);
        ParamVector expected = x.copy(manager);
        ParamVector buffers = ParamVector.zerosLike(x, manager);
        for (int t = 0; t < 4; t++) {
            ParamVector d = vector(10 + t);
            double lr = 0.1 / (t + 1);

            ParamVector y = x.copy(manager);
            base.tentativeStep(y, d, lr);
            ParamVector expectedY = expected.copy(manager);
            sgd(expectedY, buffers.copy(manager), d, lr, mu, wd, nesterov);
            assertBits(y, expectedY, "tentative step " + t);

            base.step(x, d, lr);
            sgd(expected, buffers, d, lr, mu, wd, nesterov);
            assertBits(x, expected, "step " + t);
        }
    }

    @ParameterizedTest(name = "wd {0}")
    @ValueSource(doubles = {0, 0.01})
    void adamWStepsHaveTheFormulasBits(double wd) {
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        AdamW base = new AdamW(vector(0), manager, b1, b2, eps, wd);
        ParamVector x = vector(1);
        ParamVector expected = x.copy(manager);
        ParamVector m = ParamVector.zerosLike(x, manager);
        ParamVector v = ParamVector.zerosLike(x, manager);
        for (int t = 1; t <= 4; t++) {
            ParamVector d = vector(10 + t);
            double lr = 0.01 / t;

            ParamVector y = x.copy(manager);
            base.tentativeStep(y, d, lr);
            ParamVector expectedY = expected.copy(manager);
            adamW(expectedY, m.copy(manager), v.copy(manager), d, t, lr, b1, b2, eps, wd);
            assertBits(y, expectedY, "tentative step " + t);

            base.step(x, d, lr);
            adamW(expected, m, v, d, t, lr, b1, b2, eps, wd);
            assertBits(x, expected, "step " + t);
        }
    }

    @Test
    void plainSamsPerturbationHasTheBitsOfXPlusEps() {
        Perturbation perturbation = new Perturbation(0.05, false);
        ParamVector g = vector(2);
        ParamVector x = vector(3);
        ParamVector expected = x.copy(manager);
        expected.addScaled(perturbation.of(g, x, manager), 1);

        perturbation.addTo(x, g, vector(4), manager);

        assertBits(x, expected, "x + eps");
    }

    @Test
    void aScaledAddThroughScratchHasTheBitsOfOneWithTemporaries() {
        ParamVector v = vector(5);
        ParamVector a = vector(6);
        ParamVector b = a.copy(manager);

        a.addScaled(v, 0.2, vector(7));
        b.addScaled(v, 0.2);

        assertBits(a, b, "a + 0.2 v");
    }

    /**
     * PyTorch's SGD, as ALGORITHMS.md writes it, with a fresh tensor for every operation: {@code
     * buf = mu * buf + (d + wd * x); x -= lr * buf} (Nesterov: {@code x -= lr * (d + wd * x + mu *
     * buf)}).
     */
    private static void sgd(
            ParamVector x,
            ParamVector buffers,
            ParamVector d,
            double lr,
            double mu,
            double wd,
            boolean nesterov) {
        for (int i = 0; i < x.size(); i++) {
            NDArray g = wd == 0 ? d.get(i) : d.get(i).add(x.get(i).mul(wd));
            NDArray update = g;
            if (mu != 0) {
                NDArray buf = buffers.get(i).mul(mu).add(g);
                ParamVector.copy(buf, buffers.get(i));
                update = nesterov ? g.add(buf.mul(mu)) : buf;
            }
            x.get(i).subi(update.mul(lr));
        }
    }

    /**
     * AdamW with PyTorch's semantics, each operation in a fresh tensor: {@code x *= 1 - lr wd; m =
     * b1 m + (1 - b1) d; v = b2 v + (1 - b2) d^2; x -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 -
     * b2^t) + eps)}.
     */
    private static void adamW(
            ParamVector x,
            ParamVector m,
            ParamVector v,
            ParamVector d,
            long t,
            double lr,
            double b1,
            double b2,
            double eps,
            double wd) {
        for (int i = 0; i < x.size(); i++) {
            NDArray newM = m.get(i).mul(b1).add(d.get(i).mul(1 - b1));
            NDArray newV = v.get(i).mul(b2).add(d.get(i).square().mul(1 - b2));
            ParamVector.copy(newM, m.get(i));
            ParamVector.copy(newV, v.get(i));
            if (wd != 0) {
                x.get(i).muli(1 - lr * wd);
            }
            NDArray denominator = newV.sqrt().div(Math.sqrt(1 - Math.pow(b2, t))).add(eps);
            x.get(i).subi(newM.div(denominator).mul(lr / (1 - Math.pow(b1, t))));
        }
    }

    private static void assertBits(ParamVector actual, ParamVector expected, String what) {
        for (int i = 0; i < actual.size(); i++) {
            // Arrays.mismatch compares floats bit for bit (0.0 and -0.0 differ).
            assertThat(
                            Arrays.mismatch(
                                    actual.get(i).toFloatArray(), expected.get(i).toFloatArray()))
                    .as("%s, tensor %d: the first element that differs (-1: none)", what, i)
                    .isEqualTo(-1);
        }
    }

    /**
     * Random tensors, the same for the same seed; the large one goes through PyTorch's vectorized
     * loops, the small ones through their scalar tails.
     */
    private ParamVector vector(int seed) {
        manager.getEngine().setRandomSeed(seed);
        return new ParamVector(
                List.of(
                        manager.randomNormal(new Shape(37, 41)),
                        manager.randomNormal(new Shape(5)),
                        manager.randomNormal(new Shape(3, 2))));
    }
}
