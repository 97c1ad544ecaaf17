package dev.sharpness.trainer.data;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * IDX files as MNIST and Fashion-MNIST ship them: {@code train-images-idx3-ubyte}, {@code
 * train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each
 * raw or gzip ({@code .gz}).
 */
final class IdxReader {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;
    private static final int CLASSES = 10;

    private IdxReader() {}

    /** The training part ("train") or the test part ("t10k"). */
    static RawImages read(Path directory, String part) {
        Path imagesFile =
                DataFiles.find(
                        directory, part + "-images-idx3-ubyte", part + "-images-idx3-ubyte.gz");
        Path labelsFile =
                DataFiles.find(
                        directory, part + "-labels-idx1-ubyte", part + "-labels-idx1-ubyte.gz");
        ByteBuffer images = ByteBuffer.wrap(DataFiles.readAll(imagesFile));
        ByteBuffer labels = ByteBuffer.wrap(DataFiles.readAll(labelsFile));

        header(images, imagesFile, IMAGES_MAGIC, 16);
        int count = images.getInt();
        int rows = images.getInt();
        int cols = images.getInt();
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new DataException(
                    imagesFile + ": corrupt header: " + count + " images of " + rows + "x" + cols);
        }
        long expected = (long) count * rows * cols;
        if (images.remaining() < expected) {
            throw new DataException(
                    imagesFile
                            + ": truncated: expected "
                            + expected
                            + " bytes of image data, found "
                            + images.remaining());
        }
        header(labels, labelsFile, LABELS_MAGIC, 8);
        int labelCount = labels.getInt();
        if (labelCount != count) {
            throw new DataException(
                    labelsFile
                            + ": holds "
                            + labelCount
                            + " labels, but "
                            + imagesFile
                            + " holds "
                            + count
                            + " images");
        }
        if (labels.remaining() < count) {
            throw new DataException(
                    labelsFile
                            + ": truncated: expected "
                            + count
                            + " labels, found "
                            + labels.remaining());
        }
        byte[] pixels = new byte[(int) expected];
        images.get(pixels);
        int[] l = new int[count];
        for (int i = 0; i < count; i++) {
            l[i] = labels.get() & 0xFF;
            if (l[i] >= CLASSES) {
                throw new DataException(
                        labelsFile
                                + ": label "
                                + l[i]
                                + " of sample "
                                + i
                                + " is not a class 0-"
                                + (CLASSES - 1));
            }
        }
        return new RawImages(pixels, l, 1, rows, cols);
    }

    private static void header(ByteBuffer data, Path file, int magic, int length) {
        if (data.remaining() < length) {
            throw new DataException(
                    file
                            + ": truncated: expected a "
                            + length
                            + "-byte IDX header, found "
                            + data.remaining()
                            + " bytes");
        }
        int found = data.getInt();
        if (found != magic) {
            throw new DataException(
                    String.format(
                            "%s: not an IDX %s file: expected magic 0x%08X, found 0x%08X",
                            file, magic == IMAGES_MAGIC ? "images" : "labels", magic, found));
        }
    }
}
