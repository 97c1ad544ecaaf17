package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sharpness.api.v1alpha1.DatasetSpec.Format;
import dev.sharpness.trainer.data.CifarReader.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {
    private static final double[] CIFAR10_MEAN = {0.4914, 0.4822, 0.4465};
    private static final double[] CIFAR10_STD = {0.2470, 0.2435, 0.2616};
    private static final double[] CIFAR100_MEAN = {0.5071, 0.4865, 0.4409};
    private static final double[] CIFAR100_STD = {0.2673, 0.2564, 0.2762};

    @TempDir Path dir;

    @Test
    void cifar10ReadsAllFiveBatchesInOrderWithLabelsAndPlanes() throws IOException {
        for (int b = 1; b <= 5; b++) {
            int first = (b - 1) * 2;
            CifarFiles.write(
                    dir.resolve("data_batch_" + b + ".bin"),
                    first,
                    new int[] {first % 10},
                    new int[] {(first + 1) % 10});
        }
        CifarFiles.write(dir.resolve("test_batch.bin"), 100, new int[] {7});
        Normalization normalization = Normalization.of(Format.CIFAR10);

        ImageSet train = CifarReader.readTrain(Variant.CIFAR10, dir, normalization);
        ImageSet test = CifarReader.readTest(Variant.CIFAR10, dir, normalization);

        assertThat(train.size()).isEqualTo(10);
        assertThat(train.labels()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(train.classes()).isEqualTo(10);
        assertThat(new int[] {train.channels(), train.height(), train.width()})
                .containsExactly(3, 32, 32);
        assertPixels(train, CIFAR10_MEAN, CIFAR10_STD, 0);
        assertThat(test.labels()).containsExactly(7);
        assertPixels(test, CIFAR10_MEAN, CIFAR10_STD, 100);
    }

    @Test
    void cifar100UsesTheFineLabel() throws IOException {
        CifarFiles.write(dir.resolve("train.bin"), 0, new int[] {19, 99}, new int[] {0, 42});
        CifarFiles.write(dir.resolve("test.bin"), 50, new int[] {3, 17});
        Normalization normalization = Normalization.of(Format.CIFAR100);

        ImageSet train = CifarReader.readTrain(Variant.CIFAR100, dir, normalization);
        ImageSet test = CifarReader.readTest(Variant.CIFAR100, dir, normalization);

        assertThat(train.classes()).isEqualTo(100);
        assertThat(train.labels()).containsExactly(99, 42);
        assertThat(test.labels()).containsExactly(17);
        assertPixels(train, CIFAR100_MEAN, CIFAR100_STD, 0);
        assertPixels(test, CIFAR100_MEAN, CIFAR100_STD, 50);
    }

    @Test
    void fileThatIsNotWholeRecordsIsTruncatedOrCorrupt() throws IOException {
        CifarFiles.write(dir.resolve("train.bin"), 0, new int[] {1, 2}, new int[] {1, 3});
        Path file = dir.resolve("train.bin");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));

        assertThatThrownBy(
                        () ->
                                CifarReader.readTrain(
                                        Variant.CIFAR100, dir, Normalization.of(Format.CIFAR100)))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(file.toAbsolutePath() + ": truncated or corrupt")
                .hasMessageContaining("3074-byte CIFAR-100 record");
    }

    @Test
    void labelOutOfRangeNamesFileAndRecord() throws IOException {
        Path file = dir.resolve("test_batch.bin");
        CifarFiles.write(file, 0, new int[] {9}, new int[] {10});

        assertThatThrownBy(
                        () ->
                                CifarReader.readTest(
                                        Variant.CIFAR10, dir, Normalization.of(Format.CIFAR10)))
                .isInstanceOf(DataException.class)
                .hasMessage(file.toAbsolutePath() + ": record 1: label 10 out of range 0..9");
    }

    @Test
    void missingBatchNamesDirectoryAndFile() throws IOException {
        CifarFiles.write(dir.resolve("data_batch_1.bin"), 0, new int[] {1});

        assertThatThrownBy(
                        () ->
                                CifarReader.readTrain(
                                        Variant.CIFAR10, dir, Normalization.of(Format.CIFAR10)))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(dir.toAbsolutePath() + ": no file data_batch_2.bin");
    }

    private static void assertPixels(ImageSet set, double[] mean, double[] std, int firstRecord) {
        float[] pixels = set.pixels();
        for (int r = 0; r < set.size(); r++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y += 7) {
                    for (int x = 0; x < 32; x += 5) {
                        int b = CifarFiles.pixel(firstRecord + r, c, y, x);
                        float expected = (float) ((b / 255.0 - mean[c]) / std[c]);
                        int at = r * set.sampleLength() + (c * 32 + y) * 32 + x;
                        assertThat(pixels[at]).isCloseTo(expected, within(1e-5f));
                    }
                }
            }
        }
    }
}
