package dev.sharpness.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.sharpness.api.v1alpha1.ModelSpec.Architecture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelSummaryTest {
    private static final int CLASSES = 10;

    static Stream<Arguments> architecturesAndInputs() {
        return Stream.of(Architecture.values())
                .flatMap(a -> Stream.of(Arguments.of(a, 1, 28), Arguments.of(a, 3, 32)));
    }

    @ParameterizedTest(name = "{0} at {2}x{2}x{1}")
    @MethodSource("architecturesAndInputs")
    void countsWhatTheArchitectureArithmeticSays(
            Architecture architecture, int channels, int size) {
        long expected = expectedCount(architecture, channels, size, CLASSES);
        // Convolutional nets count the same at any image size; 8x8 keeps WRN-28-10 cheap.
        int initSize = architecture == Architecture.WRN_28_10 ? 8 : size;
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Models.build(architecture, channels, initSize, CLASSES);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, channels, initSize, initSize));
            long count = ModelSummary.parameterCount(block);
            System.out.printf(
                    "%-9s %2dx%2dx%d, %d classes: %,d parameters%n",
                    architecture, size, size, channels, CLASSES, count);
            assertThat(count).isEqualTo(expected);
        }
    }

    @Test
    void arithmeticMatchesThePublishedSizes() {
        // He et al. 2016, table 6 (option A shortcuts; ours project, which adds ~1%), and
        // Zagoruyko & Komodakis 2016, table 4.
        assertThat(expectedCount(Architecture.RESNET20, 3, 32, 10))
                .isCloseTo(270_000L, withinPercentage(3));
        assertThat(expectedCount(Architecture.RESNET56, 3, 32, 10))
                .isCloseTo(850_000L, withinPercentage(3));
        assertThat(expectedCount(Architecture.WRN_28_2, 3, 32, 10))
                .isCloseTo(1_470_000L, withinPercentage(1));
        assertThat(expectedCount(Architecture.WRN_28_10, 3, 32, 10))
                .isCloseTo(36_500_000L, withinPercentage(1));
    }

    @Test
    void leavesOutBatchNormRunningStatistics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Models.build(Architecture.CNN, 1, 28, CLASSES);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            long all = 0;
            long runningStatistics = 0;
            for (Parameter parameter : block.getParameters().values()) {
                all += parameter.getArray().size();
                if (parameter.getType() == Parameter.Type.RUNNING_MEAN
                        || parameter.getType() == Parameter.Type.RUNNING_VAR) {
                    runningStatistics += parameter.getArray().size();
                }
            }
            // Two batch norms of 32 and 64 channels, a mean and a variance per channel.
            assertThat(runningStatistics).isEqualTo(2 * (32 + 64));
            assertThat(ModelSummary.parameterCount(block)).isEqualTo(all - runningStatistics);
        }
    }

    @Test
    void refusesAnUninitializedBlock() {
        assertThatThrownBy(
                        () ->
                                ModelSummary.parameterCount(
                                        Models.build(Architecture.MLP, 1, 28, CLASSES)))
                .isInstanceOf(IllegalStateException.class);
    }

    /** The parameter count worked out layer by layer, independently of the DJL blocks. */
    static long expectedCount(Architecture architecture, int channels, int size, int classes) {
        return switch (architecture) {
            case RESNET20 -> cifarResNet(3, channels, classes);
            case RESNET32 -> cifarResNet(5, channels, classes);
            case RESNET56 -> cifarResNet(9, channels, classes);
            case WRN_28_2 -> wideResNet(4, 2, channels, classes);
            case WRN_28_10 -> wideResNet(4, 10, channels, classes);
            case CNN ->
                    conv(3, channels, 32)
                            + batchNorm(32)
                            + conv(3, 32, 64)
                            + batchNorm(64)
                            + linear(64L * (size / 4) * (size / 4), 128)
                            + linear(128, classes);
            case MLP ->
                    linear((long) channels * size * size, 512)
                            + linear(512, 256)
                            + linear(256, classes);
        };
    }

    private static long cifarResNet(int blocksPerStage, int channels, int classes) {
        long count = conv(3, channels, 16) + batchNorm(16);
        int in = 16;
        for (int width : new int[] {16, 32, 64}) {
            for (int i = 0; i < blocksPerStage; i++) {
                count +=
                        conv(3, in, width)
                                + batchNorm(width)
                                + conv(3, width, width)
                                + batchNorm(width);
                if (in != width) {
                    count += conv(1, in, width) + batchNorm(width);
                }
                in = width;
            }
        }
        return count + linear(64, classes);
    }

    private static long wideResNet(int blocksPerStage, int widen, int channels, int classes) {
        long count = conv(3, channels, 16);
        int in = 16;
        for (int base : new int[] {16, 32, 64}) {
            int width = base * widen;
            for (int i = 0; i < blocksPerStage; i++) {
                count +=
                        batchNorm(in)
                                + conv(3, in, width)
                                + batchNorm(width)
                                + conv(3, width, width);
                if (in != width) {
                    count += conv(1, in, width);
                }
                in = width;
            }
        }
        return count + batchNorm(in) + linear(in, classes);
    }

    private static long conv(int kernel, long in, long out) {
        return kernel * kernel * in * out;
    }

    private static long batchNorm(long channels) {
        return 2 * channels;
    }

    private static long linear(long in, long out) {
        return in * out + out;
    }
}
