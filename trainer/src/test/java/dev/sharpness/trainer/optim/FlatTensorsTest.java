package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A swapped vector as tensors, step after step, without fresh memory per step. */
class FlatTensorsTest {
    private static final int ROWS = 1000;
    private static final int COLUMNS = 1000;

    private NDManager manager;
    private ParamVector like;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        like =
                new ParamVector(
                        List.of(
                                manager.zeros(new Shape(ROWS, COLUMNS)),
                                manager.zeros(new Shape(3))));
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void eachStepsTensorsHoldThatStepsVectorInTheModelsShapes() {
        FlatTensors tensors = new FlatTensors(ROWS * COLUMNS + 3);
        for (int step = 0; step < 3; step++) {
            float[] flat = vector(step);
            try (NDManager scope = manager.newSubManager()) {
                ParamVector theirs = tensors.wrap(flat, like, scope);
                assertThat(theirs.get(0).getShape()).isEqualTo(new Shape(ROWS, COLUMNS));
                assertThat(theirs.get(1).getShape()).isEqualTo(new Shape(3));
                assertThat(theirs.get(0).toFloatArray())
                        .isEqualTo(Arrays.copyOfRange(flat, 0, ROWS * COLUMNS));
                assertThat(theirs.get(1).toFloatArray())
                        .isEqualTo(Arrays.copyOfRange(flat, ROWS * COLUMNS, flat.length));
            }
        }
    }

    @Test
    void aStepTakesNoNewDirectMemory() {
        BufferPoolMXBean direct =
                ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                        .filter(pool -> pool.getName().equals("direct"))
                        .findFirst()
                        .orElseThrow();
        FlatTensors tensors = new FlatTensors(ROWS * COLUMNS + 3);
        float[] flat = vector(1);
        long before = direct.getMemoryUsed();
        // A tensor made from a Java array each step would take 4 MB of direct memory per step,
        // given back only by a garbage collection: 80 MB here.
        for (int step = 0; step < 20; step++) {
            try (NDManager scope = manager.newSubManager()) {
                tensors.wrap(flat, like, scope).get(1).toFloatArray();
            }
        }
        assertThat(direct.getMemoryUsed() - before).isLessThan(4L * ROWS * COLUMNS);
    }

    @Test
    void aVectorOfAnotherSizeIsRefusedWithBothSizes() {
        FlatTensors tensors = new FlatTensors(ROWS * COLUMNS + 3);
        assertThatThrownBy(() -> tensors.wrap(new float[5], like, manager))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a vector of 5 values for a model of " + (ROWS * COLUMNS + 3));
    }

    private static float[] vector(int step) {
        float[] flat = new float[ROWS * COLUMNS + 3];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = step * 1e6f + i * 0.5f;
        }
        return flat;
    }
}
