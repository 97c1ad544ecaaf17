package dev.sharpness.trainer.exchange;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The two arrays the peer's gradients are decoded into, in turn: the peer's k-th gradient goes into
 * array {@code k % 2}, so a swap allocates nothing and the array a swap returned stays intact until
 * the next swap begins. Two suffice: the peer sends its gradient k only after it has received ours
 * of swap k - 1, so by then this rank has begun swap k - 1 and is done with what swap k - 2
 * returned, the array gradient k is decoded into.
 */
final class ReceiveBuffers {
    private final int length;
    private final float[][] arrays = new float[2][];
    private final AtomicLong begun = new AtomicLong();

    ReceiveBuffers(long length) {
        this.length = Math.toIntExact(length);
    }

    /** This rank begins a swap; returns its number, counted from 0. */
    long beginSwap() {
        return begun.getAndIncrement();
    }

    /**
     * The array the peer's gradient number {@code vector} (from 0) is decoded into.
     *
     * @throws ExchangeProtocolException if the peer sent it before this rank began the swap before
     *     it: that array is still the caller's
     */
    float[] forGradient(long vector, String peer) {
        if (vector > begun.get()) {
            throw new ExchangeProtocolException(
                    "%s sent its gradient number %d before this rank began swapping number %d"
                            .formatted(peer, vector + 1, vector));
        }
        int index = (int) (vector % 2);
        synchronized (arrays) {
            if (arrays[index] == null) {
                arrays[index] = new float[length];
            }
            return arrays[index];
        }
    }
}
