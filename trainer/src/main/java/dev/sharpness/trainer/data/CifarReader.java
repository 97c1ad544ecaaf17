package dev.sharpness.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100: fixed-size records of label byte(s) then
 * 3072 pixel bytes, the red, green and blue 32x32 planes one after the other (already C x H x W).
 */
final class CifarReader {
    static final int SIDE = 32;
    static final int CHANNELS = 3;
    static final int PIXELS = CHANNELS * SIDE * SIDE;

    /** The two layouts: how many label bytes lead a record, which one is used, and the files. */
    enum Variant {
        CIFAR10(
                "CIFAR-10",
                1,
                10,
                List.of(
                        "data_batch_1.bin",
                        "data_batch_2.bin",
                        "data_batch_3.bin",
                        "data_batch_4.bin",
                        "data_batch_5.bin"),
                List.of("test_batch.bin")),
        /** Coarse label byte, then the fine label byte; the fine label (100 classes) is used. */
        CIFAR100("CIFAR-100", 2, 100, List.of("train.bin"), List.of("test.bin"));

        private static final int COARSE_CLASSES = 20;

        final String title;
        final int labelBytes;
        final int classes;
        final List<String> trainFiles;
        final List<String> testFiles;

        Variant(
                String title,
                int labelBytes,
                int classes,
                List<String> trainFiles,
                List<String> testFiles) {
            this.title = title;
            this.labelBytes = labelBytes;
            this.classes = classes;
            this.trainFiles = trainFiles;
            this.testFiles = testFiles;
        }

        int recordSize() {
            return labelBytes + PIXELS;
        }
    }

    private CifarReader() {}

    /** The training set: all of the variant's training files, in order. */
    static ImageSet readTrain(Variant variant, Path dir, Normalization normalization) {
        return read(variant, dir, variant.trainFiles, normalization);
    }

    /** The test set. */
    static ImageSet readTest(Variant variant, Path dir, Normalization normalization) {
        return read(variant, dir, variant.testFiles, normalization);
    }

    private static ImageSet read(
            Variant variant, Path dir, List<String> names, Normalization normalization) {
        int recordSize = variant.recordSize();
        Path[] files = new Path[names.size()];
        long records = 0;
        // Sizes first, so a missing or cut file fails before anything large is allocated.
        for (int f = 0; f < files.length; f++) {
            files[f] = dir.resolve(names.get(f));
            long size = size(variant, dir, files[f]);
            if (size == 0 || size % recordSize != 0) {
                throw new DataException(
                        files[f],
                        "truncated or corrupt: %d bytes is not a positive multiple of the %d-byte %s record"
                                .formatted(size, recordSize, variant.title));
            }
            records += size / recordSize;
        }
        if (records * PIXELS > Integer.MAX_VALUE - 8) {
            throw new DataException(dir, "too large: " + records + " records exceed 2^31 values");
        }
        float[] pixels = new float[(int) (records * PIXELS)];
        int[] labels = new int[(int) records];
        int sample = 0;
        for (Path file : files) {
            byte[] bytes = readAll(file);
            for (int r = 0; r * recordSize < bytes.length; r++, sample++) {
                int offset = r * recordSize;
                labels[sample] = label(variant, file, bytes, offset, r);
                int pixelOffset = offset + variant.labelBytes;
                for (int c = 0; c < CHANNELS; c++) {
                    int plane = SIDE * SIDE;
                    normalization.apply(
                            bytes,
                            pixelOffset + c * plane,
                            pixels,
                            sample * PIXELS + c * plane,
                            plane,
                            c);
                }
            }
        }
        return new ImageSet(pixels, labels, CHANNELS, SIDE, SIDE, variant.classes);
    }

    private static int label(Variant variant, Path file, byte[] bytes, int offset, int record) {
        if (variant.labelBytes == 2) {
            int coarse = bytes[offset] & 0xFF;
            if (coarse >= Variant.COARSE_CLASSES) {
                throw new DataException(
                        file,
                        "record %d: coarse label %d out of range 0..%d"
                                .formatted(record, coarse, Variant.COARSE_CLASSES - 1));
            }
        }
        int label = bytes[offset + variant.labelBytes - 1] & 0xFF;
        if (label >= variant.classes) {
            throw new DataException(
                    file,
                    "record %d: label %d out of range 0..%d"
                            .formatted(record, label, variant.classes - 1));
        }
        return label;
    }

    private static long size(Variant variant, Path dir, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(
                    dir,
                    "no file %s (the %s binary version has %s, %s)"
                            .formatted(
                                    file.getFileName(),
                                    variant.title,
                                    String.join(", ", variant.trainFiles),
                                    String.join(", ", variant.testFiles)));
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e, e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e, e);
        }
    }
}
