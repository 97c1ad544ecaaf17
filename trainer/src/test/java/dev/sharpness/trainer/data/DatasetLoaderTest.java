package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.DatasetSpec.Format;
import dev.sharpness.api.v1alpha1.SyntheticSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {
    @TempDir Path dir;

    @Test
    void splitIsDisjointCompleteSortedAndSeeded() {
        int[][] split = DatasetLoader.split(1000, 100, 42);

        assertThat(split[0]).hasSize(100).isSorted();
        assertThat(split[1]).hasSize(900).isSorted();
        int[] all = IntStream.concat(Arrays.stream(split[0]), Arrays.stream(split[1])).toArray();
        assertThat(all).containsExactlyInAnyOrder(IntStream.range(0, 1000).toArray());
        assertThat(DatasetLoader.split(1000, 100, 42)).isDeepEqualTo(split);
        assertThat(DatasetLoader.split(1000, 100, 43)[0]).isNotEqualTo(split[0]);
    }

    @Test
    void validationSplitHasTheRoundedSizeAndDependsOnlyOnTheSeed() throws IOException {
        IdxFiles.writeDataset(dir, 95, 20, 4, 4);
        DatasetSpec spec = spec(Format.FASHION_MNIST, dir.toString());
        spec.setValidationFraction(0.15); // 95 * 0.15 = 14.25

        TrainingData a = DatasetLoader.load(spec, dir, 1);
        TrainingData b = DatasetLoader.load(spec, dir, 1);
        TrainingData c = DatasetLoader.load(spec, dir, 2);

        assertThat(a.validation().size()).isEqualTo(14);
        assertThat(a.train().size()).isEqualTo(81);
        assertThat(a.test().size()).isEqualTo(20);
        assertThat(a.validation().pixels()).isEqualTo(b.validation().pixels());
        assertThat(a.train().pixels()).isEqualTo(b.train().pixels());
        assertThat(c.validation().pixels()).isNotEqualTo(a.validation().pixels());
    }

    @Test
    void noValidationFractionLeavesAnEmptyValidationSet() {
        DatasetSpec spec = synthetic(40);
        spec.setValidationFraction(0);

        TrainingData data = DatasetLoader.load(spec, dir, 1);

        assertThat(data.validation().size()).isZero();
        assertThat(data.train().size()).isEqualTo(40);
    }

    @Test
    void labelNoiseChangesExactlyTheExpectedTrainingLabelsToOtherClasses() {
        DatasetSpec clean = synthetic(1000);
        DatasetSpec noisy = synthetic(1000);
        noisy.setLabelNoise(0.2);

        TrainingData before = DatasetLoader.load(clean, dir, 9);
        TrainingData after = DatasetLoader.load(noisy, dir, 9);
        TrainingData again = DatasetLoader.load(noisy, dir, 9);

        int[] original = before.train().labels();
        int[] changed = after.train().labels();
        assertThat(after.train().pixels()).isEqualTo(before.train().pixels());
        assertThat(changed).hasSameSizeAs(original);
        long differing =
                IntStream.range(0, original.length).filter(i -> original[i] != changed[i]).count();
        assertThat(differing).isEqualTo(Math.round(900 * 0.2));
        assertThat(again.train().labels()).isEqualTo(changed);
        assertThat(after.validation().labels()).isEqualTo(before.validation().labels());
        assertThat(after.test().labels()).isEqualTo(before.test().labels());
    }

    @Test
    void noisyLabelsAreNeverTheOriginalClass() {
        int[] labels = new int[500]; // all class 0, so every chosen sample must change
        int[] noisy = DatasetLoader.noisyLabels(labels, 3, 500, 4);

        assertThat(noisy).doesNotContain(0).contains(1, 2);
        assertThat(DatasetLoader.noisyLabels(labels, 3, 500, 4)).isEqualTo(noisy);
    }

    @Test
    void relativePathIsResolvedAgainstTheBaseDirectory() throws IOException {
        Path base = dir.resolve("jobs");
        IdxFiles.writeDataset(base.resolve("data/fmnist"), 30, 10, 5, 5);

        TrainingData data = DatasetLoader.load(spec(Format.MNIST, "data/fmnist"), base, 1);

        assertThat(data.train().size() + data.validation().size()).isEqualTo(30);
        assertThat(data.description())
                .contains(base.resolve("data/fmnist").toAbsolutePath().toString());
    }

    @Test
    void missingPathNamesTheField() {
        assertThatThrownBy(() -> DatasetLoader.load(spec(Format.CIFAR10, null), dir, 1))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("spec.dataset.path: required");
        assertThatThrownBy(() -> DatasetLoader.load(spec(Format.CIFAR10, "nowhere"), dir, 1))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("spec.dataset.path:")
                .hasMessageContaining(dir.resolve("nowhere").toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void cifar10LoadsThroughTheSpec() throws IOException {
        for (int b = 1; b <= 5; b++) {
            CifarFiles.write(dir.resolve("data_batch_" + b + ".bin"), b, new int[] {b});
        }
        CifarFiles.write(dir.resolve("test_batch.bin"), 0, new int[] {0});
        DatasetSpec spec = spec(Format.CIFAR10, dir.toString());
        spec.setValidationFraction(0.2);

        TrainingData data = DatasetLoader.load(spec, dir, 1);

        assertThat(data.train().size()).isEqualTo(4);
        assertThat(data.validation().size()).isEqualTo(1);
        assertThat(data.train().channels()).isEqualTo(3);
        assertThat(data.description()).startsWith("cifar10 from ");
    }

    @Test
    void shippedFashionMnistSubsetLoads() {
        Path subset = Path.of("..", "examples", "data", "fashion-mnist-subset");
        DatasetSpec spec = spec(Format.FASHION_MNIST, subset.toString());
        spec.setValidationFraction(0.1);

        TrainingData data = DatasetLoader.load(spec, Path.of(""), 3);

        assertThat(data.train().size()).isEqualTo(9000);
        assertThat(data.validation().size()).isEqualTo(1000);
        assertThat(data.test().size()).isEqualTo(2000);
        assertThat(data.train().sampleLength()).isEqualTo(28 * 28);
        assertThat(data.train().classes()).isEqualTo(10);
        int[] counts = new int[10];
        Arrays.stream(data.test().labels()).forEach(l -> counts[l]++);
        assertThat(Arrays.stream(counts).min().getAsInt()).isGreaterThan(150);
    }

    @Test
    void syntheticDataIsSeededAndLearnableByNearestClassMean() {
        DatasetSpec spec = synthetic(400);
        spec.getSynthetic().setChannels(2);
        spec.getSynthetic().setImageSize(6);

        TrainingData data = DatasetLoader.load(spec, dir, 5);
        TrainingData same = DatasetLoader.load(spec, dir, 5);

        assertThat(data.train().height()).isEqualTo(6);
        assertThat(data.train().channels()).isEqualTo(2);
        assertThat(data.test().size()).isEqualTo(100);
        assertThat(same.test().pixels()).isEqualTo(data.test().pixels());
        assertThat(Arrays.copyOf(data.test().pixels(), 72))
                .isNotEqualTo(Arrays.copyOf(data.train().pixels(), 72));
        assertThat(nearestMeanAccuracy(data.train(), data.test())).isGreaterThan(0.9);
    }

    private static double nearestMeanAccuracy(ImageSet train, ImageSet test) {
        int length = train.sampleLength();
        double[][] means = new double[train.classes()][length];
        int[] counts = new int[train.classes()];
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)]++;
            for (int k = 0; k < length; k++) {
                means[train.label(i)][k] += train.pixels()[i * length + k];
            }
        }
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            int best = -1;
            double bestDistance = Double.MAX_VALUE;
            for (int c = 0; c < means.length; c++) {
                double d = 0;
                for (int k = 0; k < length; k++) {
                    double diff = test.pixels()[i * length + k] - means[c][k] / counts[c];
                    d += diff * diff;
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            correct += best == test.label(i) ? 1 : 0;
        }
        return (double) correct / test.size();
    }

    private static DatasetSpec spec(Format format, String path) {
        DatasetSpec spec = new DatasetSpec();
        spec.setFormat(format);
        spec.setPath(path);
        return spec;
    }

    private static DatasetSpec synthetic(int trainSamples) {
        DatasetSpec spec = spec(Format.SYNTHETIC, null);
        SyntheticSpec shape = new SyntheticSpec();
        shape.setTrainSamples(trainSamples);
        shape.setTestSamples(trainSamples / 4);
        spec.setSynthetic(shape);
        return spec;
    }
}
