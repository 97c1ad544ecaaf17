package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** IDX and CIFAR files read back exactly; broken ones fail with the file and the problem named. */
class ReadersTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void idxRoundTripRawAndGzip(boolean gzip) throws IOException {
        IdxFiles.writeIdx(dir, "train", 12, 4, 3, gzip);
        RawImages raw = IdxReader.read(dir, "train");
        assertThat(raw.labels()).hasSize(12);
        assertThat(raw.labels()[11]).isEqualTo(1);
        assertThat(raw.height()).isEqualTo(4);
        assertThat(raw.width()).isEqualTo(3);
        assertThat(raw.pixels()[5 * 12 + 7] & 0xFF).isEqualTo(IdxFiles.pixel(5, 7));
    }

    @Test
    void truncatedImagesFileIsNamed() throws IOException {
        IdxFiles.writeIdx(dir, "train", 10, 4, 4, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        Files.write(images, Arrays.copyOf(Files.readAllBytes(images), 100));
        assertThatThrownBy(() -> IdxReader.read(dir, "train"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("truncated: expected 160 bytes of image data, found 84");
    }

    @Test
    void wrongMagicIsNamed() throws IOException {
        IdxFiles.writeIdx(dir, "train", 2, 2, 2, true);
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        IdxFiles.write(labels, ByteBuffer.allocate(10).putInt(0x803).putInt(2).array(), true);
        assertThatThrownBy(() -> IdxReader.read(dir, "train"))
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("expected magic 0x00000801, found 0x00000803");
    }

    @Test
    void missingFileNamesTheDirectoryAndTheExpectedNames() {
        assertThatThrownBy(() -> IdxReader.read(dir, "t10k"))
                .isInstanceOf(DataException.class)
                .hasMessage(dir + ": no file t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz");
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        IdxFiles.writeIdx(dir, "train", 5, 2, 2, false);
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        IdxFiles.write(labels, ByteBuffer.allocate(12).putInt(0x801).putInt(4).array(), false);
        assertThatThrownBy(() -> IdxReader.read(dir, "train"))
                .hasMessageContaining("holds 4 labels, but");
    }

    @Test
    void cifar10ReadsPlanesAndLabels() throws IOException {
        for (int i = 1; i <= 5; i++) {
            IdxFiles.writeCifar(dir.resolve("data_batch_" + i + ".bin"), 3, 1, 10);
        }
        IdxFiles.writeCifar(dir.resolve("test_batch.bin"), 4, 1, 10);
        RawImages train = CifarReader.cifar10(dir, true);
        assertThat(train.labels()).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2);
        assertThat(train.channels()).isEqualTo(3);
        assertThat(train.pixels()[3072 + 1024] & 0xFF).isEqualTo(IdxFiles.pixel(1, 1024));
        assertThat(CifarReader.cifar10(dir, false).labels()).hasSize(4);
    }

    @Test
    void cifar100UsesTheFineLabel() throws IOException {
        IdxFiles.writeCifar(dir.resolve("train.bin"), 150, 2, 100);
        assertThat(CifarReader.cifar100(dir, true).labels()[120]).isEqualTo(20);
    }

    @Test
    void truncatedCifarFileIsNamed() throws IOException {
        Path file = dir.resolve("test_batch.bin");
        IdxFiles.writeCifar(file, 2, 1, 10);
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 5000));
        assertThatThrownBy(() -> CifarReader.cifar10(dir, false))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated or corrupt");
    }

    @Test
    void normalizationUsesThePublishedConstants() {
        float[] out =
                Normalization.CIFAR10.apply(
                        new byte[] {0, (byte) 255, 0, (byte) 255, 0, (byte) 255}, 3, 2);
        assertThat((double) out[0]).isCloseTo(-0.4914 / 0.2470, within(1e-5));
        assertThat((double) out[3]).isCloseTo((1 - 0.4822) / 0.2435, within(1e-5));
    }
}
