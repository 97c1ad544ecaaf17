package dev.sharpness.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class EngineSmokeTest {
    @Test
    void pytorchEngineLoadsOffline() {
        Engine e = Engine.getInstance();
        assertThat(e.getEngineName()).isEqualTo("PyTorch");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(m.create(new float[] {1, 2, 3}).sum().getFloat()).isEqualTo(6f);
        }
        System.out.println("engine " + e.getVersion());
    }
}
