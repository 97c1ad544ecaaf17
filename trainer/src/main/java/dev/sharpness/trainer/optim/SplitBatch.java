package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDManager;

/**
 * What a SAMPa pair does before {@code sharpnessFrom}: data-parallel SGD. Each worker computes the
 * gradient on its half of the step's batch, at the same x, and they swap the two; both apply the
 * same base step along the mean over the whole batch, {@code d = (n0 g0 + n1 g1) / (n0 + n1)}, so
 * the pair does an SGD step's work in about half an SGD step's time. Rank 0 takes the first {@code
 * ceil(n / 2)} rows, rank 1 the rest. Each half updates its own worker's BatchNorm statistics, as
 * SAMPa's passes do, so BatchNorm sees half batches (as in data-parallel training without
 * synchronized BatchNorm).
 */
final class SplitBatch {
    private SplitBatch() {}

    /** The rows of a batch of {@code size} that worker {@code rank} trains on. */
    static int[] rows(int rank, int size) {
        int first = (size + 1) / 2;
        int from = rank == 0 ? 0 : first;
        int to = rank == 0 ? first : size;
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return rows;
    }

    /** The whole batch's mean gradient from the halves' means, computed the same way on both. */
    static ParamVector combine(ParamVector g0, int n0, ParamVector g1, int n1, NDManager scope) {
        ParamVector d = g0.copy(scope);
        d.scale((double) n0 / (n0 + n1));
        d.addScaled(g1, (double) n1 / (n0 + n1));
        return d;
    }
}
