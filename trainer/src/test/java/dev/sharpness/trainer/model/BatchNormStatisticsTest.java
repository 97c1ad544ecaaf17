package dev.sharpness.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.sharpness.api.v1alpha1.ModelSpec.Architecture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SAM-style optimizers find the running statistics through {@code getParameters()} and their type,
 * so these tests pin how DJL exposes and updates them.
 */
class BatchNormStatisticsTest {

    @ParameterizedTest
    @EnumSource(
            value = Architecture.class,
            names = {"RESNET20", "CNN"})
    void exposesRunningStatisticsAsTypedParametersThatTrainingUpdates(Architecture architecture) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = initialized(manager, architecture);
            List<Parameter> statistics = runningStatistics(block);
            assertThat(statistics).isNotEmpty();
            assertThat(statistics)
                    .filteredOn(p -> p.getType() == Parameter.Type.RUNNING_MEAN)
                    .hasSize(statistics.size() / 2);
            assertThat(statistics).noneMatch(Parameter::requiresGradient);

            List<float[]> before =
                    statistics.stream().map(p -> p.getArray().toFloatArray()).toList();
            forward(manager, block, false);
            for (int i = 0; i < statistics.size(); i++) {
                assertThat(statistics.get(i).getArray().toFloatArray())
                        .as("inference leaves %s alone", statistics.get(i).getName())
                        .isEqualTo(before.get(i));
            }
            forward(manager, block, true);
            for (int i = 0; i < statistics.size(); i++) {
                assertThat(statistics.get(i).getArray().toFloatArray())
                        .as("training updates %s", statistics.get(i).getName())
                        .isNotEqualTo(before.get(i));
            }
        }
    }

    @Test
    void mlpHasNoRunningStatistics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(runningStatistics(initialized(manager, Architecture.MLP))).isEmpty();
        }
    }

    private static Block initialized(NDManager manager, Architecture architecture) {
        Block block = Models.build(architecture, 1, 28, 10);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
        return block;
    }

    private static List<Parameter> runningStatistics(Block block) {
        return block.getParameters().values().stream()
                .filter(
                        p ->
                                p.getType() == Parameter.Type.RUNNING_MEAN
                                        || p.getType() == Parameter.Type.RUNNING_VAR)
                .toList();
    }

    private static void forward(NDManager manager, Block block, boolean training) {
        // Shifted and scaled so that no layer sees mean 0 and variance 1 by chance.
        NDList images = new NDList(manager.randomNormal(new Shape(4, 1, 28, 28)).mul(3).add(1));
        block.forward(new ParameterStore(manager, false), images, training);
    }
}
