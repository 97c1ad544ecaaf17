package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.sharpness.api.v1alpha1.DatasetSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Splits, label noise, data order and augmentation are functions of the seed and nothing else. */
class DatasetLoaderTest {
    @TempDir Path dir;

    private static DatasetSpec spec(DatasetSpec.Format format, String path) {
        DatasetSpec spec = new DatasetSpec();
        spec.setFormat(format);
        spec.setPath(path);
        return spec;
    }

    @Test
    void shippedFashionMnistSubsetLoads() {
        DatasetSpec spec = spec(DatasetSpec.Format.FASHION_MNIST, "fashion-mnist-subset");
        TrainingData data = DatasetLoader.load(spec, Path.of("..", "examples", "data"), 1);
        assertThat(data.train().size() + data.validation().size()).isEqualTo(10000);
        assertThat(data.validation().size()).isEqualTo(1000);
        assertThat(data.test().size()).isEqualTo(2000);
        assertThat(data.train().height()).isEqualTo(28);
        // Normalized pixels: mean near 0 over the set.
        double mean = 0;
        for (float p : data.test().pixels()) {
            mean += p;
        }
        assertThat(Math.abs(mean / data.test().pixels().length)).isLessThan(0.1);
    }

    @Test
    void validationSplitIsDisjointSizedAndSeeded() {
        int[][] a = DatasetLoader.split(100, 0.2, 5);
        assertThat(a[0]).hasSize(20);
        assertThat(a[1]).hasSize(80);
        Set<Integer> all = new HashSet<>();
        Arrays.stream(a[0]).forEach(all::add);
        Arrays.stream(a[1]).forEach(all::add);
        assertThat(all).hasSize(100);
        assertThat(DatasetLoader.split(100, 0.2, 5)[0]).containsExactly(a[0]);
        assertThat(DatasetLoader.split(100, 0.2, 6)[0]).isNotEqualTo(a[0]);
    }

    @Test
    void labelNoiseChangesExactlyTheRequestedShareToOtherClasses() {
        int[] labels = IntStream.range(0, 1000).map(i -> i % 10).toArray();
        ImageSet set = new ImageSet(new float[1000], labels, 1, 1, 1, 10);
        int[] noisy = DatasetLoader.noisyLabels(set, 0.4, 3);
        long changed = IntStream.range(0, 1000).filter(i -> noisy[i] != labels[i]).count();
        assertThat(changed).isEqualTo(400);
        assertThat(DatasetLoader.noisyLabels(set, 0.4, 3)).containsExactly(noisy);
        assertThat(Arrays.stream(noisy).allMatch(l -> l >= 0 && l < 10)).isTrue();
    }

    @Test
    void relativePathResolvesAgainstTheManifestFolder() throws IOException {
        IdxFiles.writeIdx(dir.resolve("data/fm"), "train", 20, 28, 28, true);
        IdxFiles.writeIdx(dir.resolve("data/fm"), "t10k", 5, 28, 28, true);
        TrainingData data =
                DatasetLoader.load(spec(DatasetSpec.Format.FASHION_MNIST, "data/fm"), dir, 1);
        assertThat(data.test().size()).isEqualTo(5);
        assertThatThrownBy(
                        () ->
                                DatasetLoader.load(
                                        spec(DatasetSpec.Format.MNIST, "elsewhere"), dir, 1))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("spec.dataset.path: " + dir.resolve("elsewhere"));
    }

    @Test
    void dataOrderIsAPurePermutationOfSeedAndEpoch() {
        int[] p = DataOrder.permutation(9, 2, 50);
        assertThat(Arrays.stream(p).sorted().toArray())
                .containsExactly(IntStream.range(0, 50).toArray());
        assertThat(DataOrder.permutation(9, 2, 50)).containsExactly(p);
        assertThat(DataOrder.permutation(9, 3, 50)).isNotEqualTo(p);
        assertThat(DataOrder.batchIndices(9, 2, 50, 16, 1))
                .containsExactly(Arrays.copyOfRange(p, 16, 32));
        assertThat(DataOrder.stepsPerEpoch(50, 16)).isEqualTo(3);
        assertThat(DataOrder.stepsPerEpoch(10, 16)).isEqualTo(1);
        assertThat(DataOrder.batchIndices(9, 0, 10, 16, 0)).hasSize(10);
    }

    @Test
    void augmentationIsAPureFunctionOfSeedEpochStepAndSample() {
        int n = 16;
        float[] pixels = new float[n * 3 * 8 * 8];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i % 97 + 1;
        }
        ImageSet set = new ImageSet(pixels, new int[n], 3, 8, 8, 2);
        int[] indices = IntStream.range(0, n).toArray();
        try (NDManager m = NDManager.newBaseManager()) {
            BatchAssembler plain = new BatchAssembler(set, false, 4);
            assertThat(plain.assemble(m, indices, 0, 0).images().toFloatArray())
                    .containsExactly(pixels);
            BatchAssembler augmenting = new BatchAssembler(set, true, 4);
            float[] a = augmenting.assemble(m, indices, 1, 7).images().toFloatArray();
            assertThat(augmenting.assemble(m, indices, 1, 7).images().toFloatArray())
                    .containsExactly(a);
            assertThat(augmenting.assemble(m, indices, 1, 8).images().toFloatArray())
                    .isNotEqualTo(a);
            assertThat(a).isNotEqualTo(pixels);
            assertThat(augmenting.assemble(m, indices, 1, 7).images().getShape().toString())
                    .isEqualTo("(16, 3, 8, 8)");
        }
    }

    @Test
    void augmentationOnlyForCifarByDefault() {
        assertThat(BatchAssembler.augmentationOn(spec(DatasetSpec.Format.CIFAR10, "x"))).isTrue();
        assertThat(BatchAssembler.augmentationOn(spec(DatasetSpec.Format.FASHION_MNIST, "x")))
                .isFalse();
        DatasetSpec standard = spec(DatasetSpec.Format.FASHION_MNIST, "x");
        standard.setAugmentation(DatasetSpec.Augmentation.STANDARD);
        assertThat(BatchAssembler.augmentationOn(standard)).isTrue();
    }
}
