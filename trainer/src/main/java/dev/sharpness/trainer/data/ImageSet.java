package dev.sharpness.trainer.data;

/**
 * A labelled image set held in memory, already normalized: N samples of C x H x W floats, one
 * sample contiguous.
 */
public final class ImageSet {
    private final float[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;

    public ImageSet(
            float[] pixels, int[] labels, int channels, int height, int width, int classes) {
        if ((long) labels.length * channels * height * width != pixels.length) {
            throw new IllegalArgumentException(
                    labels.length
                            + " labels do not match "
                            + pixels.length
                            + " pixels of "
                            + channels
                            + "x"
                            + height
                            + "x"
                            + width
                            + " images");
        }
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
    }

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

    public int classes() {
        return classes;
    }

    /** C * H * W. */
    public int sampleLength() {
        return channels * height * width;
    }

    public int label(int i) {
        return labels[i];
    }

    /** The backing array, not a copy. */
    public float[] pixels() {
        return pixels;
    }

    /** The backing array, not a copy. */
    public int[] labels() {
        return labels;
    }

    /** A copy holding the samples at {@code indices}, in that order. */
    public ImageSet subset(int[] indices) {
        int n = sampleLength();
        float[] p = new float[indices.length * n];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * n, p, i * n, n);
            l[i] = labels[indices[i]];
        }
        return new ImageSet(p, l, channels, height, width, classes);
    }

    /** The same images with other labels. */
    public ImageSet withLabels(int[] newLabels) {
        return new ImageSet(pixels, newLabels, channels, height, width, classes);
    }
}
