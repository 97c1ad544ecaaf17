package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Reading a long-lived tensor's bytes in host memory must leave nothing on the tensor's manager. On
 * a GPU, DJL copies the tensor to the host in an array attached to the tensor's own manager (a
 * child of it), which for parameters, optimizer state and BatchNorm statistics lives as long as the
 * run. No GPU here: a tensor that is not contiguous takes the same way on a CPU (DJL makes a
 * contiguous copy and attaches it to the tensor's manager), so it stands in for one.
 */
class HostReadsTest {
    /** A manager of its own for each test (JUnit makes an instance per test), closed after it. */
    @AutoClose private final NDManager manager = NDManager.newBaseManager();

    @Test
    void flatteningAVectorLeavesNoCopyOnItsTensorsManager() {
        NDArray transposed = manager.arange(6f).reshape(2, 3).transpose();
        ParamVector statistics = new ParamVector(List.of(transposed, manager.arange(3f)));
        int before = manager.getManagedArrays().size();

        float[] flat = SampaWorker.flatten(statistics, new float[9]);

        assertThat(flat).containsExactly(0f, 3f, 1f, 4f, 2f, 5f, 0f, 1f, 2f);
        assertThat(manager.getManagedArrays()).hasSize(before);
    }
}
