package dev.sharpness.trainer.data;

import java.util.SplittableRandom;

/**
 * The order in which the training samples are visited: a pure function of (seed, epoch), so every
 * worker sees the same batches and a resumed run continues exactly where it stopped.
 */
public final class DataOrder {
    private DataOrder() {}

    /** A permutation of {@code 0 .. n-1} that depends only on {@code seed} and {@code epoch}. */
    public static int[] permutation(long seed, int epoch, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, got " + n);
        }
        return shuffled(RandomStream.DATA_ORDER.random(seed, epoch), n);
    }

    /**
     * Batches per epoch: {@code max(1, n / batchSize)}. The last incomplete batch is dropped, so
     * every step sees a full batch; a set smaller than one batch is one batch of all its samples.
     */
    public static int stepsPerEpoch(int n, int batchSize) {
        if (n < 0 || batchSize < 1) {
            throw new IllegalArgumentException(
                    "need n >= 0 and batchSize >= 1, got n=" + n + ", batchSize=" + batchSize);
        }
        return Math.max(1, n / batchSize);
    }

    /** Fisher-Yates shuffle of {@code 0 .. n-1} drawing from {@code random}. */
    static int[] shuffled(SplittableRandom random, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
