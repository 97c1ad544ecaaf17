package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sharpness.api.v1alpha1.DatasetSpec.Format;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
    private static final Normalization FASHION = Normalization.of(Format.FASHION_MNIST);

    @TempDir Path dir;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsBackWhatWasWrittenNormalized(boolean gzip) throws IOException {
        byte[] pixels = IdxFiles.pattern(5, 3, 4);
        int[] labels = {3, 0, 9, 9, 1};
        IdxFiles.writePart(dir, "train", pixels, 3, 4, labels, gzip);

        ImageSet set = IdxReader.read(dir, "train", FASHION);

        assertThat(set.size()).isEqualTo(5);
        assertThat(set.channels()).isEqualTo(1);
        assertThat(set.height()).isEqualTo(3);
        assertThat(set.width()).isEqualTo(4);
        assertThat(set.classes()).isEqualTo(10);
        assertThat(set.labels()).containsExactly(labels);
        for (int i = 0; i < pixels.length; i++) {
            double expected = ((pixels[i] & 0xFF) / 255.0 - 0.2860) / 0.3530;
            assertThat(set.pixels()[i]).isCloseTo((float) expected, within(1e-5f));
        }
    }

    @Test
    void recognizesGzipByItsMagicBytesNotTheName() throws IOException {
        byte[] pixels = IdxFiles.pattern(2, 2, 2);
        // gzip content without .gz, raw content with .gz
        Files.write(
                dir.resolve("t10k-images-idx3-ubyte"),
                IdxFiles.gzip(IdxFiles.images(2, 2, 2, pixels)));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxFiles.labels(new int[] {4, 5}));

        ImageSet set = IdxReader.read(dir, "t10k", FASHION);

        assertThat(set.labels()).containsExactly(4, 5);
        assertThat(set.pixels()[3]).isEqualTo(FASHION.value(0, pixels[3]));
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedImagesFileIsReportedWithItsName(boolean gzip) throws IOException {
        byte[] full = IdxFiles.images(100, 28, 28, IdxFiles.pattern(100, 28, 28));
        byte[] gzipped = IdxFiles.gzip(full);
        String name = "train-images-idx3-ubyte" + (gzip ? ".gz" : "");
        Path file = dir.resolve(name);
        Files.write(
                file,
                gzip
                        ? Arrays.copyOf(gzipped, gzipped.length / 2)
                        : Arrays.copyOf(full, full.length / 2));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxFiles.labels(new int[100]));

        assertThatThrownBy(() -> IdxReader.read(dir, "train", FASHION))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(file.toAbsolutePath().toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("expected 78416 bytes");
    }

    @Test
    void truncatedRawFileSaysHowMuchWasFound() throws IOException {
        byte[] full = IdxFiles.images(100, 28, 28, IdxFiles.pattern(100, 28, 28));
        Files.write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(full, 1000));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxFiles.labels(new int[100]));

        assertThatThrownBy(() -> IdxReader.read(dir, "train", FASHION))
                .hasMessageContaining("expected 78416 bytes")
                .hasMessageContaining("found 1000");
    }

    @Test
    void wrongMagicNamesTheFileAndTheExpectedMagic() throws IOException {
        IdxFiles.writePart(dir, "train", IdxFiles.pattern(2, 2, 2), 2, 2, new int[] {0, 1}, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        // a labels file where the images belong
        Files.write(images, IdxFiles.labels(new int[] {0, 1}));

        assertThatThrownBy(() -> IdxReader.read(dir, "train", FASHION))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(images.toAbsolutePath().toString())
                .hasMessageContaining("0x00000801")
                .hasMessageContaining("expected 0x00000803");
    }

    @Test
    void missingFileNamesTheDirectoryAndBothAcceptedNames() {
        assertThatThrownBy(() -> IdxReader.read(dir, "train", FASHION))
                .isInstanceOf(DataException.class)
                .hasMessage(
                        dir.toAbsolutePath()
                                + ": no file train-images-idx3-ubyte or train-images-idx3-ubyte.gz");
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        IdxFiles.writePart(
                dir, "train", IdxFiles.pattern(3, 2, 2), 2, 2, new int[] {0, 1, 2}, false);
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        Files.write(labels, IdxFiles.labels(new int[] {0, 1}));

        assertThatThrownBy(() -> IdxReader.read(dir, "train", FASHION))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(dir.resolve("train-images-idx3-ubyte").toAbsolutePath() + ":")
                .hasMessageContaining("3 images")
                .hasMessageContaining(labels.toAbsolutePath() + " holds 2 labels");
    }

    @Test
    void labelOutsideTheTenClassesIsRejected() throws IOException {
        IdxFiles.writePart(dir, "t10k", IdxFiles.pattern(2, 2, 2), 2, 2, new int[] {9, 10}, false);

        assertThatThrownBy(() -> IdxReader.read(dir, "t10k", FASHION))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(
                        dir.resolve("t10k-labels-idx1-ubyte").toAbsolutePath().toString())
                .hasMessageContaining("label 10 at index 1");
    }

    /*
     * A header is checked against what the file holds before anything is allocated for it. The
     * claims below are larger than a test JVM's heap, so the old reader failed at once with an
     * OutOfMemoryError rather than allocating gigabytes; smaller ones (1.2M images) made it
     * allocate 3.9 GB before it noticed the data was missing.
     */

    /** Images of 28x28 that fill all but a few of the 2^31 values an array can hold. */
    private static final int CLAIMED_IMAGES = 2_739_000;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aHeaderClaimingMillionsOfImagesInSixteenBytesIsRefused(boolean gzip) throws IOException {
        byte[] header = IdxFiles.images(CLAIMED_IMAGES, 28, 28, new byte[0]);
        Path file = dir.resolve("train-images-idx3-ubyte" + (gzip ? ".gz" : ""));
        Files.write(file, gzip ? IdxFiles.gzip(header) : header);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxFiles.labels(new int[1]));

        assertThatThrownBy(() -> IdxReader.read(dir, "train", FASHION))
                .isInstanceOf(DataException.class)
                .hasMessage(
                        file.toAbsolutePath()
                                + ": truncated: expected 2147376016 bytes (16-byte header + "
                                + CLAIMED_IMAGES
                                + " images of 28x28), found 16"
                                + (gzip ? " after decompression" : ""));
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aHeaderClaimingMoreLabelsThanTheFileHoldsIsRefused(boolean gzip) throws IOException {
        IdxFiles.writePart(dir, "train", IdxFiles.pattern(2, 2, 2), 2, 2, new int[] {0, 1}, false);
        byte[] labels = IdxFiles.labels(new int[] {0, 1});
        ByteBuffer.wrap(labels).putInt(4, Integer.MAX_VALUE);
        Path file = dir.resolve("train-labels-idx1-ubyte" + (gzip ? ".gz" : ""));
        Files.delete(dir.resolve("train-labels-idx1-ubyte"));
        Files.write(file, gzip ? IdxFiles.gzip(labels) : labels);

        assertThatThrownBy(() -> IdxReader.read(dir, "train", FASHION))
                .isInstanceOf(DataException.class)
                .hasMessage(
                        file.toAbsolutePath()
                                + ": truncated: expected 2147483655 bytes (8-byte header + "
                                + Integer.MAX_VALUE
                                + " labels), found 10"
                                + (gzip ? " after decompression" : ""));
    }

    @Test
    void gzipDataLargerThanTheFirstChunkReadsBackWhole() throws IOException {
        // 1500 images of 28x28 are 1.2M values: more than the reader allocates before data comes.
        int count = 1500;
        byte[] pixels = IdxFiles.pattern(count, 28, 28);
        int[] labels = new int[count];
        Arrays.setAll(labels, i -> i % 10);
        IdxFiles.writePart(dir, "train", pixels, 28, 28, labels, true);

        ImageSet set = IdxReader.read(dir, "train", FASHION);

        assertThat(set.size()).isEqualTo(count);
        assertThat(set.pixels()).hasSize(pixels.length);
        assertThat(set.pixels()[pixels.length - 1])
                .isEqualTo(FASHION.value(0, pixels[pixels.length - 1]));
        assertThat(set.pixels()[1 << 20]).isEqualTo(FASHION.value(0, pixels[1 << 20]));
        assertThat(set.labels()[count - 1]).isEqualTo((count - 1) % 10);
    }
}
