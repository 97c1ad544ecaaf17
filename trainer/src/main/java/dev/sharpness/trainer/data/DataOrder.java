package dev.sharpness.trainer.data;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the training set: a pure function of (seed, epoch). Both
 * workers of a pair, and a run resumed from a checkpoint, derive the same batches from it without
 * sharing any random-number generator.
 */
public final class DataOrder {
    private DataOrder() {}

    /** A permutation of 0..n-1 for this seed and epoch. */
    public static int[] permutation(long seed, int epoch, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(Seeds.mix(seed, 0x5A3D0_0001L, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * Batches per epoch: the last incomplete batch is dropped; fewer samples than a batch is one
     * batch.
     */
    public static int stepsPerEpoch(int n, int batchSize) {
        return Math.max(1, n / batchSize);
    }

    /** The sample indices of batch {@code batchInEpoch} of {@code epoch}. */
    public static int[] batchIndices(long seed, int epoch, int n, int batchSize, int batchInEpoch) {
        int size = Math.min(batchSize, n);
        int[] order = permutation(seed, epoch, n);
        int[] batch = new int[size];
        System.arraycopy(order, batchInEpoch * size, batch, 0, size);
        return batch;
    }
}
