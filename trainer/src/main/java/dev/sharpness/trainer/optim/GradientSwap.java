package dev.sharpness.trainer.optim;

import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;

/**
 * How a SAMPa worker trades gradients with its peer, as the optimizer sees it: it sends its vector
 * for a step and gets the peer's vector for the same step. The transport (gRPC between pods, an
 * in-memory exchanger in tests) is someone else's business; it moves bytes and nothing else. The
 * worker writes its vector in {@link #wireType} and, when that is lossy (bf16), steps along the
 * rounded vector it sent, as its peer does.
 */
public interface GradientSwap {
    /** The element type on the wire: {@link DataType#FLOAT32} (exact) or {@code BFLOAT16}. */
    default DataType wireType() {
        return DataType.FLOAT32;
    }

    /**
     * Sends {@code mine} as step {@code step}'s gradient and returns the peer's, bit for bit. Both
     * are the vector's tensors in order, each element in {@link #wireType}, little-endian. Keeps no
     * reference to {@code mine} once it returned: the caller reuses it for its next gradient.
     *
     * @return the peer's vector from position 0 to the limit, valid until the next swap begins;
     *     direct where the transport can, so that tensors can view it without a copy
     */
    ByteBuffer swap(long step, byte[] mine);
}
