package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Look-LayerSAM's perturbation where it must reduce to plain SAM's, and where it must not. */
class LayerwisePerturbationTest {
    /** A manager of its own for each test (JUnit makes an instance per test), closed after it. */
    @AutoClose private final NDManager manager = NDManager.newBaseManager();

    @Test
    void onASingleTensorOfNormOneItIsPlainSamsPerturbation() {
        SquaredNorm f = new SquaredNorm(manager, 0.6f, -0.8f);
        try (NDManager scope = manager.newSubManager()) {
            ParamVector g = f.gradient(null, BatchNormMode.UPDATE, scope).vector();
            float[] layerwise =
                    Perturbation.layerwise(0.1).of(g, f.parameters(), scope).get(0).toFloatArray();
            float[] global =
                    new Perturbation(0.1, false).of(g, f.parameters(), scope).get(0).toFloatArray();
            assertThat(layerwise[0]).isCloseTo(global[0], within(1e-7f));
            assertThat(layerwise[1]).isCloseTo(global[1], within(1e-7f));
        }
    }

    @Test
    void itScalesWithTheTensorAndIgnoresTheGradientsSize() {
        SquaredNorm f = new SquaredNorm(manager, 3, -4);
        try (NDManager scope = manager.newSubManager()) {
            ParamVector g = f.gradient(null, BatchNormMode.UPDATE, scope).vector();
            ParamVector eps = Perturbation.layerwise(0.1).of(g, f.parameters(), scope);
            // ||x|| = 5, so ||eps|| = 0.5 (plain SAM's would be 0.1), along g = 2x = (6, -8).
            assertThat(eps.get(0).toFloatArray())
                    .containsExactly(new float[] {0.3f, -0.4f}, within(1e-6f));
        }
    }

    @Test
    void aTensorOfZerosIsNotPerturbed() {
        SquaredNorm f = new SquaredNorm(manager, 0, 0);
        try (NDManager scope = manager.newSubManager()) {
            ParamVector g = new ParamVector(List.of(scope.create(new float[] {1, 2})));
            ParamVector eps = Perturbation.layerwise(0.1).of(g, f.parameters(), scope);
            assertThat(eps.get(0).toFloatArray()).containsExactly(0f, 0f);
        }
    }
}
