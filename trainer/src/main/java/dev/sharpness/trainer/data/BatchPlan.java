package dev.sharpness.trainer.data;

/**
 * Which samples every global step trains on: step t is batch t mod S of epoch t / S (S steps per
 * epoch), in {@link DataOrder}'s order for that epoch. The last two epochs' orders are cached,
 * since a step and its predecessor (SAMPa) may straddle an epoch boundary.
 */
public final class BatchPlan {
    private final long seed;
    private final int samples;
    private final int batchSize;
    private final int stepsPerEpoch;
    private final int[] cachedEpochs = {-1, -1};
    private final int[][] cachedOrders = new int[2][];

    public BatchPlan(long seed, int samples, int batchSize) {
        this.seed = seed;
        this.samples = samples;
        this.batchSize = Math.min(batchSize, samples);
        this.stepsPerEpoch = DataOrder.stepsPerEpoch(samples, batchSize);
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    public int epochOf(long step) {
        return (int) (step / stepsPerEpoch);
    }

    /** The sample indices of global step {@code step}. */
    public int[] indices(long step) {
        int epoch = epochOf(step);
        int batch = (int) (step % stepsPerEpoch);
        int[] slice = new int[batchSize];
        System.arraycopy(order(epoch), batch * batchSize, slice, 0, batchSize);
        return slice;
    }

    private int[] order(int epoch) {
        int slot = epoch & 1;
        if (cachedEpochs[slot] != epoch) {
            cachedOrders[slot] = DataOrder.permutation(seed, epoch, samples);
            cachedEpochs[slot] = epoch;
        }
        return cachedOrders[slot];
    }
}
