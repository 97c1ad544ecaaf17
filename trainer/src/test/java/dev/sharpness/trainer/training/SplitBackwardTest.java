package dev.sharpness.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sharpness.api.v1alpha1.ModelSpec.Architecture;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.optim.BatchNormMode;
import dev.sharpness.trainer.optim.Gradient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A gradient pass split at the network's backward cut, as a SAMPa rank runs it to send the top
 * layers' gradient while it computes the rest: it hands over the top part before the lower layers
 * have any gradient, and ends with exactly the gradient, loss and BatchNorm statistics of the whole
 * pass, for every architecture.
 */
class SplitBackwardTest {
    private static final int CLASSES = 4;
    private static final int SIZE = 8;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    @Timeout(120)
    void theSplitPassHandsOverTheTopFirstAndEndsWithTheWholePassGradient(Architecture model) {
        try (NDManager root = NDManager.newBaseManager();
                Network whole = Network.create(model, 3, SIZE, CLASSES, 7, root);
                Network split = Network.create(model, 3, SIZE, CLASSES, 7, root)) {
            NetworkObjective wholeObjective = new NetworkObjective(whole, 0.1, CLASSES);
            NetworkObjective splitObjective = new NetworkObjective(split, 0.1, CLASSES);
            // A whole pass each first, so that every parameter has had a gradient and the split
            // pass below starts from zeroed ones, as every pass of a run after its first does.
            wholeObjective.gradient(batch(root, 1), BatchNormMode.UPDATE, root);
            splitObjective.gradient(batch(root, 1), BatchNormMode.UPDATE, root);

            Batch batch = batch(root, 2);
            Gradient expected = wholeObjective.gradient(batch, BatchNormMode.UPDATE, root);
            int count = split.trainable().size();
            int[] handedFirst = {-1};
            List<float[]> handed = new ArrayList<>();
            float[] belowWhenHanded = new float[1];
            Gradient actual =
                    splitObjective.gradient(
                            batch,
                            BatchNormMode.UPDATE,
                            root,
                            (first, tensors) -> {
                                handedFirst[0] = first;
                                tensors.forEach(t -> handed.add(t.toFloatArray()));
                                try (NDArray below =
                                        split.trainable().get(first - 1).getGradient()) {
                                    belowWhenHanded[0] = below.abs().sum().getFloat();
                                }
                            });

            assertThat(handedFirst[0])
                    .isEqualTo(split.firstTensorAboveCut())
                    .isBetween(1, count - 1);
            assertThat(handed).hasSize(count - handedFirst[0]);
            assertThat(belowWhenHanded[0])
                    .as("the gradient just below the cut, when handed")
                    .isZero();
            for (int i = 0; i < count; i++) {
                float[] bits = actual.vector().get(i).toFloatArray();
                // Arrays.equals, not containsExactly: a diff of a million elements takes hours.
                assertThat(Arrays.equals(bits, expected.vector().get(i).toFloatArray()))
                        .as(
                                "tensor %d of %d (%s) equals the whole pass's",
                                i, count, shapeOf(split, i))
                        .isTrue();
                if (i >= handedFirst[0]) {
                    assertThat(Arrays.equals(handed.get(i - handedFirst[0]), bits))
                            .as("tensor %d as handed over", i)
                            .isTrue();
                }
            }
            assertThat(actual.loss()).isEqualTo(expected.loss());
            assertThat(actual.correct()).isEqualTo(expected.correct());
            assertThat(split.checksum())
                    .as("parameters and statistics")
                    .isEqualTo(whole.checksum());
        }
    }

    private static String shapeOf(Network network, int tensor) {
        return network.trainableNames().get(tensor)
                + " "
                + network.trainable().get(tensor).getShape();
    }

    /** Six 3x8x8 images and their labels, the same for the same {@code seed}. */
    private static Batch batch(NDManager manager, long seed) {
        Random random = new Random(seed);
        int samples = 6;
        float[] pixels = new float[samples * 3 * SIZE * SIZE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        int[] labels = IntStream.range(0, samples).map(i -> i % CLASSES).toArray();
        return new Batch(
                manager.create(pixels, new Shape(samples, 3, SIZE, SIZE)),
                manager.create(labels),
                IntStream.range(0, samples).toArray());
    }
}
