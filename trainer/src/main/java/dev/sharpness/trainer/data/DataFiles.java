package dev.sharpness.trainer.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens dataset files, gzip or raw (told apart by the gzip magic bytes, not the name). */
final class DataFiles {
    private DataFiles() {}

    /** The first of {@code names} present in {@code directory}, or an error listing them all. */
    static Path find(Path directory, String... names) {
        for (String name : names) {
            Path p = directory.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DataException(directory + ": no file " + String.join(" or ", names));
    }

    /** Every byte of {@code file}, decompressed if it is gzip. */
    static byte[] readAll(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
