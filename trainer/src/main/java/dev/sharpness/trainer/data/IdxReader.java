package dev.sharpness.trainer.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST: {@code <part>-images-idx3-ubyte} and {@code
 * <part>-labels-idx1-ubyte} with part {@code train} or {@code t10k}, each raw or gzipped. Gzip is
 * recognized by its magic bytes, whatever the file is called.
 */
public final class IdxReader {
    /** File name prefix of the training part. */
    static final String TRAIN = "train";

    /** File name prefix of the test part. */
    static final String TEST = "t10k";

    /** IDX magic: unsigned bytes, 3 dimensions. */
    static final int IMAGES_MAGIC = 0x00000803;

    /** IDX magic: unsigned bytes, 1 dimension. */
    static final int LABELS_MAGIC = 0x00000801;

    static final int CLASSES = 10;

    private static final int IMAGES_HEADER = 16;
    private static final int LABELS_HEADER = 8;
    private static final int BUFFER = 1 << 16;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Values allocated before a gzip file has shown it has more: 4 MiB of pixels. */
    private static final int FIRST_CHUNK = 1 << 20;

    private IdxReader() {}

    /** Reads one part ({@link #TRAIN} or {@link #TEST}) from {@code dir}. */
    static ImageSet read(Path dir, String part, Normalization normalization) {
        Path imagesFile = locate(dir, part + "-images-idx3-ubyte");
        Path labelsFile = locate(dir, part + "-labels-idx1-ubyte");
        Images images = readImageFile(imagesFile, normalization);
        int[] labels = readLabels(labelsFile);
        if (labels.length != images.count) {
            throw new DataException(
                    imagesFile,
                    "holds %d images but %s holds %d labels"
                            .formatted(images.count, labelsFile.toAbsolutePath(), labels.length));
        }
        return new ImageSet(images.pixels, labels, 1, images.rows, images.columns, CLASSES);
    }

    /** {@code dir/name}, else {@code dir/name.gz}. */
    static Path locate(Path dir, String name) {
        Path raw = dir.resolve(name);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        Path gzipped = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gzipped)) {
            return gzipped;
        }
        throw new DataException(dir, "no file " + name + " or " + name + ".gz");
    }

    /**
     * The images of one IDX image file (gzip or raw), normalized, {@code rows * columns} values
     * each.
     */
    public record Images(float[] pixels, int count, int rows, int columns) {}

    /**
     * Reads one IDX image file on its own, e.g. images to classify.
     *
     * @throws DataException when the file is missing, not an IDX image file, truncated or corrupt
     */
    public static Images readImages(Path file, Normalization normalization) {
        return readImageFile(file, normalization);
    }

    private static Images readImageFile(Path file, Normalization normalization) {
        try (Source source = Source.open(file)) {
            ByteBuffer header =
                    source.header(
                            IMAGES_HEADER, IMAGES_MAGIC, "images: unsigned bytes, 3 dimensions");
            int count = header.getInt();
            int rows = header.getInt();
            int columns = header.getInt();
            if (count < 0 || rows < 1 || columns < 1) {
                throw new DataException(
                        file,
                        "bad dimensions %d x %d x %d, expected a count >= 0 and positive rows and columns"
                                .formatted(count, rows, columns));
            }
            long total = (long) count * rows * columns;
            if (total > MAX_ARRAY) {
                throw new DataException(
                        file,
                        "too large: %d images of %dx%d exceed 2^31 values"
                                .formatted(count, rows, columns));
            }
            String what = "(16-byte header + %d images of %dx%d)".formatted(count, rows, columns);
            source.checkHolds(IMAGES_HEADER, total, what);
            // Grown as data arrives, so a header that claims more than there is costs nothing.
            float[] pixels = new float[source.initialCapacity(total)];
            byte[] chunk = new byte[BUFFER];
            int done = 0;
            while (done < total) {
                int want = (int) Math.min(chunk.length, total - done);
                int got = source.read(chunk, want);
                pixels = grown(pixels, done + got, total);
                normalization.apply(chunk, 0, pixels, done, got, 0);
                done += got;
                if (got < want) {
                    throw source.truncated(
                            IMAGES_HEADER + total, IMAGES_HEADER + (long) done, what);
                }
            }
            return new Images(pixels, count, rows, columns);
        }
    }

    private static int[] readLabels(Path file) {
        try (Source source = Source.open(file)) {
            ByteBuffer header =
                    source.header(
                            LABELS_HEADER, LABELS_MAGIC, "labels: unsigned bytes, 1 dimension");
            int count = header.getInt();
            if (count < 0) {
                throw new DataException(file, "bad label count " + count);
            }
            String what = "(8-byte header + " + count + " labels)";
            source.checkHolds(LABELS_HEADER, count, what);
            byte[] bytes = new byte[source.initialCapacity(count)];
            byte[] chunk = new byte[BUFFER];
            int done = 0;
            while (done < count) {
                int want = Math.min(chunk.length, count - done);
                int got = source.read(chunk, want);
                bytes = grown(bytes, done + got, count);
                System.arraycopy(chunk, 0, bytes, done, got);
                done += got;
                if (got < want) {
                    throw source.truncated(
                            LABELS_HEADER + (long) count, LABELS_HEADER + (long) done, what);
                }
            }
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = bytes[i] & 0xFF;
                if (labels[i] >= CLASSES) {
                    throw new DataException(
                            file,
                            "label %d at index %d, expected 0..%d"
                                    .formatted(labels[i], i, CLASSES - 1));
                }
            }
            return labels;
        }
    }

    /**
     * {@code array}, or a larger copy when it cannot hold {@code needed} values; at most {@code
     * total}.
     */
    private static float[] grown(float[] array, int needed, long total) {
        return needed <= array.length
                ? array
                : Arrays.copyOf(array, capacity(array.length, needed, total));
    }

    private static byte[] grown(byte[] array, int needed, long total) {
        return needed <= array.length
                ? array
                : Arrays.copyOf(array, capacity(array.length, needed, total));
    }

    /** Doubling, so that growing to n values copies fewer than 2n. */
    private static int capacity(int current, int needed, long total) {
        return (int) Math.min(total, Math.max(needed, 2L * current));
    }

    /** An open IDX file, decompressing when it starts with the gzip magic 0x1f 0x8b. */
    private static final class Source implements AutoCloseable {
        private final Path file;
        private final InputStream in;
        private final boolean gzip;

        private Source(Path file, InputStream in, boolean gzip) {
            this.file = file;
            this.in = in;
            this.gzip = gzip;
        }

        static Source open(Path file) {
            InputStream raw = null;
            try {
                raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
                raw.mark(2);
                boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
                raw.reset();
                InputStream in = gzip ? new GZIPInputStream(raw, BUFFER) : raw;
                return new Source(file, in, gzip);
            } catch (ZipException e) {
                closeQuietly(raw);
                throw new DataException(file, "corrupt gzip header: " + e.getMessage(), e);
            } catch (EOFException e) {
                closeQuietly(raw);
                throw new DataException(file, "truncated gzip header", e);
            } catch (IOException e) {
                closeQuietly(raw);
                throw new DataException(file, "cannot read: " + e, e);
            }
        }

        /**
         * Refuses a header that claims more values than a plain file holds, before anything is
         * allocated for them. A gzip file's decompressed size is not known in advance; its data is
         * read as it comes, and a short one is reported when it ends.
         */
        void checkHolds(int headerLength, long values, String what) {
            if (gzip) {
                return;
            }
            long size;
            try {
                size = Files.size(file);
            } catch (IOException e) {
                throw new DataException(file, "cannot read: " + e, e);
            }
            if (size < headerLength + values) {
                throw truncated(headerLength + values, size, what);
            }
        }

        /**
         * How many values to allocate before reading: all of them for a plain file, which {@link
         * #checkHolds} found holds them; for gzip, a bounded first chunk that grows with the data.
         */
        int initialCapacity(long values) {
            return (int) (gzip ? Math.min(values, FIRST_CHUNK) : values);
        }

        /**
         * Reads a header of {@code length} bytes that starts with {@code magic}. The magic is
         * checked first, so a file of the wrong kind is reported as such even when it is shorter
         * than the header.
         */
        ByteBuffer header(int length, int magic, String meaning) {
            byte[] bytes = new byte[length];
            int got = read(bytes, length);
            ByteBuffer header = ByteBuffer.wrap(bytes); // IDX is big-endian, ByteBuffer's default
            int found = header.getInt();
            if (got >= Integer.BYTES && found != magic) {
                throw new DataException(
                        file,
                        String.format(
                                "bad magic number 0x%08x, expected 0x%08x (IDX %s)",
                                found, magic, meaning));
            }
            if (got < length) {
                throw truncated(length, got, "for the header");
            }
            return header;
        }

        /** Reads up to {@code length} bytes; fewer only at the end of the data. */
        int read(byte[] into, int length) {
            int done = 0;
            try {
                while (done < length) {
                    int n = in.read(into, done, length - done);
                    if (n < 0) {
                        break;
                    }
                    done += n;
                }
            } catch (EOFException e) {
                // A gzip stream cut short ends with EOFException, not -1: that is truncation too.
            } catch (ZipException e) {
                throw new DataException(file, "corrupt gzip data: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new DataException(file, "cannot read: " + e, e);
            }
            return done;
        }

        DataException truncated(long expected, long found, String what) {
            return new DataException(
                    file,
                    "truncated: expected %d bytes %s, found %d%s"
                            .formatted(expected, what, found, gzip ? " after decompression" : ""));
        }

        @Override
        public void close() {
            closeQuietly(in);
        }

        private static void closeQuietly(InputStream stream) {
            if (stream != null) {
                try {
                    stream.close();
                } catch (IOException ignored) {
                    // Nothing was written; a failed close of a read-only stream loses nothing.
                }
            }
        }
    }
}
