package dev.sharpness.trainer.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX and CIFAR files for tests. */
final class IdxFiles {
    private IdxFiles() {}

    /** Pixel value of sample s at position i: distinct and predictable. */
    static int pixel(int s, int i) {
        return (s * 31 + i * 7) % 256;
    }

    static void writeIdx(Path dir, String part, int count, int rows, int cols, boolean gzip)
            throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + count * rows * cols);
        images.putInt(0x803).putInt(count).putInt(rows).putInt(cols);
        for (int s = 0; s < count; s++) {
            for (int i = 0; i < rows * cols; i++) {
                images.put((byte) pixel(s, i));
            }
        }
        ByteBuffer labels = ByteBuffer.allocate(8 + count);
        labels.putInt(0x801).putInt(count);
        for (int s = 0; s < count; s++) {
            labels.put((byte) (s % 10));
        }
        String suffix = gzip ? ".gz" : "";
        write(dir.resolve(part + "-images-idx3-ubyte" + suffix), images.array(), gzip);
        write(dir.resolve(part + "-labels-idx1-ubyte" + suffix), labels.array(), gzip);
    }

    static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
        Files.createDirectories(file.getParent());
        if (!gzip) {
            Files.write(file, bytes);
            return;
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(buffer)) {
            out.write(bytes);
        }
        Files.write(file, buffer.toByteArray());
    }

    /** CIFAR records: label bytes then 3072 pixels; label of record r is r % classes. */
    static void writeCifar(Path file, int records, int labelBytes, int classes) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(records * (labelBytes + 3072));
        for (int r = 0; r < records; r++) {
            if (labelBytes == 2) {
                data.put((byte) (r % 20));
            }
            data.put((byte) (r % classes));
            for (int i = 0; i < 3072; i++) {
                data.put((byte) pixel(r, i));
            }
        }
        write(file, data.array(), false);
    }
}
