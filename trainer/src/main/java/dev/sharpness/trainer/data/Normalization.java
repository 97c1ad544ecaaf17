package dev.sharpness.trainer.data;

/**
 * Per-channel mean and standard deviation of a dataset's pixels in [0, 1], the usual published
 * constants: a pixel becomes (byte / 255 - mean) / std. Fixed constants rather than statistics of
 * the loaded files, so a subset trains on the same scale as the full set.
 */
record Normalization(float[] mean, float[] std) {
    static final Normalization FASHION_MNIST =
            new Normalization(new float[] {0.2860f}, new float[] {0.3530f});
    static final Normalization MNIST =
            new Normalization(new float[] {0.1307f}, new float[] {0.3081f});
    static final Normalization CIFAR10 =
            new Normalization(
                    new float[] {0.4914f, 0.4822f, 0.4465f},
                    new float[] {0.2470f, 0.2435f, 0.2616f});
    static final Normalization CIFAR100 =
            new Normalization(
                    new float[] {0.5071f, 0.4865f, 0.4409f},
                    new float[] {0.2673f, 0.2564f, 0.2762f});

    /** Normalizes unsigned bytes laid out as N x C x (H*W). */
    float[] apply(byte[] raw, int channels, int planeSize) {
        float[] out = new float[raw.length];
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = 1f / (255f * std[c]);
            shift[c] = mean[c] / std[c];
        }
        for (int i = 0; i < raw.length; i++) {
            int c = (i / planeSize) % channels;
            out[i] = (raw[i] & 0xFF) * scale[c] - shift[c];
        }
        return out;
    }
}
