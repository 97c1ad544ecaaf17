package dev.sharpness.trainer.data;

import java.util.Objects;

/**
 * An in-memory labelled image set, already normalized: pixels are float in N x C x H x W layout,
 * each sample one contiguous run of {@link #sampleLength()} values.
 *
 * <p>The set takes ownership of the arrays it is given and hands out its backing arrays without
 * copying, because they are large and read on every batch; nobody may modify them. An empty set
 * (size 0) is valid, e.g. the validation part when no validation split is asked for.
 */
public final class ImageSet {
    private final float[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;

    /**
     * Wraps the given arrays.
     *
     * @throws IllegalArgumentException when a dimension is not positive, the pixel count is not
     *     {@code labels.length * channels * height * width}, or a label is outside {@code [0,
     *     classes)}
     */
    public ImageSet(
            float[] pixels, int[] labels, int channels, int height, int width, int classes) {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (channels < 1 || height < 1 || width < 1 || classes < 1) {
            throw new IllegalArgumentException(
                    "channels, height, width and classes must be positive, got %dx%dx%d with %d classes"
                            .formatted(channels, height, width, classes));
        }
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(
                    "expected %d pixel values for %d samples of %dx%dx%d, got %d"
                            .formatted(
                                    expected,
                                    labels.length,
                                    channels,
                                    height,
                                    width,
                                    pixels.length));
        }
        checkLabels(labels, classes);
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
    }

    /** Number of samples. */
    public int size() {
        return labels.length;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Number of classes; every label is in {@code [0, classes)}. */
    public int classes() {
        return classes;
    }

    /** Values per sample: {@code channels * height * width}. */
    public int sampleLength() {
        return channels * height * width;
    }

    /** Label of sample {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** The backing pixel array (not a copy; do not modify). */
    public float[] pixels() {
        return pixels;
    }

    /** The backing label array (not a copy; do not modify). */
    public int[] labels() {
        return labels;
    }

    /**
     * A new set holding copies of the samples at {@code indices}, in that order.
     *
     * @throws IndexOutOfBoundsException when an index is not in {@code [0, size())}
     */
    public ImageSet subset(int[] indices) {
        int length = sampleLength();
        float[] newPixels = new float[Math.multiplyExact(indices.length, length)];
        int[] newLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int source = Objects.checkIndex(indices[i], size());
            System.arraycopy(pixels, source * length, newPixels, i * length, length);
            newLabels[i] = labels[source];
        }
        return new ImageSet(newPixels, newLabels, channels, height, width, classes);
    }

    /** The same pixels (shared, not copied) with other labels, one per sample. */
    public ImageSet withLabels(int[] newLabels) {
        if (newLabels.length != size()) {
            throw new IllegalArgumentException(
                    "expected " + size() + " labels, got " + newLabels.length);
        }
        return new ImageSet(pixels, newLabels, channels, height, width, classes);
    }

    @Override
    public String toString() {
        return "ImageSet[%d x %dx%dx%d, %d classes]"
                .formatted(size(), channels, height, width, classes);
    }

    private static void checkLabels(int[] labels, int classes) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        "label %d of sample %d is outside [0, %d)"
                                .formatted(labels[i], i, classes));
            }
        }
    }
}
