package dev.sharpness.trainer.data;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR binary files. CIFAR-10: {@code data_batch_1.bin} ... {@code data_batch_5.bin} and {@code
 * test_batch.bin}, records of one label byte and 3072 pixel bytes (R, G, B planes of 32x32).
 * CIFAR-100: {@code train.bin} and {@code test.bin}, records of a coarse and a fine label byte and
 * the pixels; the fine label (100 classes) is used.
 */
final class CifarReader {
    private static final int SIZE = 32;
    private static final int PIXELS = 3 * SIZE * SIZE;

    private CifarReader() {}

    static RawImages cifar10(Path directory, boolean train) {
        List<Path> files = new ArrayList<>();
        if (train) {
            for (int i = 1; i <= 5; i++) {
                files.add(DataFiles.find(directory, "data_batch_" + i + ".bin"));
            }
        } else {
            files.add(DataFiles.find(directory, "test_batch.bin"));
        }
        return read(files, 1, 0, 10);
    }

    static RawImages cifar100(Path directory, boolean train) {
        return read(
                List.of(DataFiles.find(directory, train ? "train.bin" : "test.bin")), 2, 1, 100);
    }

    private static RawImages read(List<Path> files, int labelBytes, int labelOffset, int classes) {
        int record = labelBytes + PIXELS;
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        List<Integer> labels = new ArrayList<>();
        for (Path file : files) {
            byte[] data = DataFiles.readAll(file);
            if (data.length == 0 || data.length % record != 0) {
                throw new DataException(
                        file
                                + ": truncated or corrupt: "
                                + data.length
                                + " bytes is not a whole number of "
                                + record
                                + "-byte records");
            }
            for (int at = 0; at < data.length; at += record) {
                int label = data[at + labelOffset] & 0xFF;
                if (label >= classes) {
                    throw new DataException(
                            file
                                    + ": record "
                                    + at / record
                                    + " has label "
                                    + label
                                    + ", expected 0-"
                                    + (classes - 1));
                }
                labels.add(label);
                pixels.write(data, at + labelBytes, PIXELS);
            }
        }
        return new RawImages(
                pixels.toByteArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                3,
                SIZE,
                SIZE);
    }
}
