package dev.sharpness.trainer.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests. */
final class IdxFiles {
    private IdxFiles() {}

    /** Pixel bytes for {@code count} images of rows x columns: a pattern that differs per image. */
    static byte[] pattern(int count, int rows, int columns) {
        byte[] pixels = new byte[count * rows * columns];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7 + i / (rows * columns) * 13);
        }
        return pixels;
    }

    static byte[] images(int count, int rows, int columns, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
        b.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(columns).put(pixels);
        return b.array();
    }

    static byte[] labels(int[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(IdxReader.LABELS_MAGIC).putInt(labels.length);
        for (int label : labels) {
            b.put((byte) label);
        }
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** Writes both files of one part ("train" or "t10k") into dir, gzipped or raw. */
    static void writePart(
            Path dir, String part, byte[] pixels, int rows, int columns, int[] labels, boolean gzip)
            throws IOException {
        Files.createDirectories(dir);
        String suffix = gzip ? ".gz" : "";
        byte[] images = images(labels.length, rows, columns, pixels);
        byte[] labelBytes = labels(labels);
        Files.write(
                dir.resolve(part + "-images-idx3-ubyte" + suffix), gzip ? gzip(images) : images);
        Files.write(
                dir.resolve(part + "-labels-idx1-ubyte" + suffix),
                gzip ? gzip(labelBytes) : labelBytes);
    }

    /** A complete small dataset: train and t10k parts with cycling labels 0..9. */
    static void writeDataset(Path dir, int train, int test, int rows, int columns)
            throws IOException {
        writePart(
                dir,
                IdxReader.TRAIN,
                pattern(train, rows, columns),
                rows,
                columns,
                cycling(train),
                true);
        writePart(
                dir,
                IdxReader.TEST,
                pattern(test, rows, columns),
                rows,
                columns,
                cycling(test),
                false);
    }

    static int[] cycling(int count) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 10;
        }
        return labels;
    }
}
