package dev.sharpness.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.sharpness.api.v1alpha1.ModelSpec.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelsTest {
    private static final int CLASSES = 10;

    static Stream<Arguments> architecturesAndInputs() {
        return Stream.of(Architecture.values())
                // WRN-28-10 costs seconds per forward on one thread; it has its own small test.
                .filter(a -> a != Architecture.WRN_28_10)
                .flatMap(a -> Stream.of(Arguments.of(a, 1, 28), Arguments.of(a, 3, 32)));
    }

    @ParameterizedTest(name = "{0} at {2}x{2}x{1}")
    @MethodSource("architecturesAndInputs")
    void mapsABatchOfImagesToFiniteLogits(Architecture architecture, int channels, int size) {
        assertForwardGivesLogits(architecture, channels, size);
    }

    @Test
    void wideResNet28x10MapsSmallImagesToFiniteLogits() {
        assertForwardGivesLogits(Architecture.WRN_28_10, 3, 8);
    }

    @Test
    void sameSeedGivesBitIdenticalParameters() {
        for (Architecture architecture :
                List.of(Architecture.RESNET20, Architecture.WRN_28_2, Architecture.CNN)) {
            List<float[]> first = initialParameters(architecture, 42);
            List<float[]> second = initialParameters(architecture, 42);
            assertThat(first).hasSameSizeAs(second);
            for (int i = 0; i < first.size(); i++) {
                // float[] equality is Arrays.equals: bit for bit.
                assertThat(first.get(i))
                        .as("%s parameter %d", architecture, i)
                        .isEqualTo(second.get(i));
            }
        }
    }

    @Test
    void differentSeedsGiveDifferentParameters() {
        List<float[]> first = initialParameters(Architecture.RESNET20, 42);
        List<float[]> second = initialParameters(Architecture.RESNET20, 43);
        // The first parameter is the stem convolution's weight.
        assertThat(first.get(0)).isNotEqualTo(second.get(0));
    }

    @Test
    void weightsAreHeNormalAndBiasesZero() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            Block block = Models.build(Architecture.RESNET56, 3, 32, CLASSES);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            for (Parameter parameter : block.getParameters().values()) {
                NDArray array = parameter.getArray();
                Shape shape = array.getShape();
                if (parameter.getType() == Parameter.Type.WEIGHT && shape.size() >= 30_000) {
                    double fanIn = shape.size() / (double) shape.get(0);
                    double expectedStd = Math.sqrt(2 / fanIn);
                    assertThat((double) array.mean().getFloat())
                            .isCloseTo(0, within(0.05 * expectedStd));
                    assertThat(std(array)).isCloseTo(expectedStd, within(0.05 * expectedStd));
                }
                if (parameter.getType() == Parameter.Type.BIAS) {
                    assertThat(array.abs().max().getFloat()).isZero();
                }
            }
        }
    }

    @Test
    void rejectsImagesTooSmallForTheCnnAndNonPositiveSizes() {
        assertThatThrownBy(() -> Models.build(Architecture.CNN, 1, 3, CLASSES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Models.build(Architecture.MLP, 1, 28, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Models.build(Architecture.RESNET20, 0, 28, CLASSES))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertForwardGivesLogits(
            Architecture architecture, int channels, int size) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Models.build(architecture, channels, size, CLASSES);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, channels, size, size));
            NDArray images = manager.randomNormal(new Shape(2, channels, size, size));
            NDArray logits =
                    block.forward(new ParameterStore(manager, false), new NDList(images), false)
                            .singletonOrThrow();
            assertThat(logits.getShape()).isEqualTo(new Shape(2, CLASSES));
            assertThat(logits.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(logits.isNaN().any().getBoolean()).isFalse();
            assertThat(logits.isInfinite().any().getBoolean()).isFalse();
        }
    }

    private static List<float[]> initialParameters(Architecture architecture, int seed) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(seed);
            Block block = Models.build(architecture, 3, 32, CLASSES);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            List<float[]> values = new ArrayList<>();
            for (Parameter parameter : block.getParameters().values()) {
                values.add(parameter.getArray().toFloatArray());
            }
            return values;
        }
    }

    private static double std(NDArray array) {
        return Math.sqrt(array.sub(array.mean()).square().mean().getFloat());
    }
}
