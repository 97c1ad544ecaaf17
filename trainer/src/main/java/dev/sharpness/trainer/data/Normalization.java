package dev.sharpness.trainer.data;

import dev.sharpness.api.v1alpha1.DatasetSpec.Format;

/**
 * Per-channel pixel normalization with a dataset's fixed mean and standard deviation: a byte b
 * becomes {@code (b / 255 - mean) / std}. The constants are the published ones, not computed from
 * the files, so a subset normalizes the same way as the full set.
 */
public final class Normalization {
    private final float[][] table;
    private final double[] mean;
    private final double[] std;

    private Normalization(double[] mean, double[] std) {
        this.mean = mean.clone();
        this.std = std.clone();
        table = new float[mean.length][256];
        for (int c = 0; c < mean.length; c++) {
            for (int b = 0; b < 256; b++) {
                table[c][b] = (float) ((b / 255.0 - mean[c]) / std[c]);
            }
        }
    }

    /** The constants of a file format; the synthetic format has none. */
    public static Normalization of(Format format) {
        return switch (format) {
            case FASHION_MNIST -> new Normalization(new double[] {0.2860}, new double[] {0.3530});
            case MNIST -> new Normalization(new double[] {0.1307}, new double[] {0.3081});
            case CIFAR10 ->
                    new Normalization(
                            new double[] {0.4914, 0.4822, 0.4465},
                            new double[] {0.2470, 0.2435, 0.2616});
            case CIFAR100 ->
                    new Normalization(
                            new double[] {0.5071, 0.4865, 0.4409},
                            new double[] {0.2673, 0.2564, 0.2762});
            case SYNTHETIC ->
                    throw new IllegalArgumentException(
                            "synthetic data is generated already normalized");
        };
    }

    /** Number of channels the constants are for. */
    public int channels() {
        return table.length;
    }

    /** The normalized value of byte {@code b} in {@code channel}. */
    public float value(int channel, byte b) {
        return table[channel][b & 0xFF];
    }

    /** The per-channel means subtracted from {@code b / 255}. */
    public double[] mean() {
        return mean.clone();
    }

    /** The per-channel standard deviations divided by. */
    public double[] std() {
        return std.clone();
    }

    /** Normalizes {@code length} bytes of one channel from {@code src} into {@code dst}. */
    void apply(byte[] src, int srcOffset, float[] dst, int dstOffset, int length, int channel) {
        float[] t = table[channel];
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = t[src[srcOffset + i] & 0xFF];
        }
    }
}
