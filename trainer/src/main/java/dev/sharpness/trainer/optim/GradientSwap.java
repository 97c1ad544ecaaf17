package dev.sharpness.trainer.optim;

/**
 * How a SAMPa worker trades gradients with its peer, as the optimizer sees it: it sends its vector
 * for a step and gets the peer's vector for the same step. The transport (gRPC between pods, an
 * in-memory exchanger in tests) is someone else's business.
 */
public interface GradientSwap {
    /**
     * Sends {@code mine} as step {@code step}'s gradient and returns the peer's, bit for bit. Keeps
     * no reference to {@code mine} once it returned: the caller reuses it for its next gradient.
     */
    float[] swap(long step, float[] mine);

    /**
     * {@code mine} as the peer will receive it: a lossy wire format (bf16) rounds it, and both
     * workers must then use the rounded vector, or their parameters drift apart.
     */
    default float[] asSent(float[] mine) {
        return mine;
    }
}
