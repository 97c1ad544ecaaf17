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

    /**
     * Begins step {@code step}'s swap of {@code mine} while the vector is still being made: the
     * caller fills it in from its end towards its start, says how far it is final as it goes
     * ({@link Begun#finalFrom}), and {@link Begun#finish finishes} once all of it is. The transport
     * may send each part as soon as it is final. The default sends nothing before {@code finish},
     * which then swaps as {@link #swap} does.
     */
    default Begun begin(long step, byte[] mine) {
        return new Begun() {
            @Override
            public void finalFrom(long element) {}

            @Override
            public ByteBuffer finish() {
                return swap(step, mine);
            }
        };
    }

    /** A swap {@link #begin begun} before its vector was final. */
    interface Begun {
        /**
         * Elements {@code element} to the end of the vector (in {@link #wireType}) are final; the
         * mark only moves towards the start.
         */
        void finalFrom(long element);

        /** All of the vector is final: returns the peer's, as {@link #swap} does. */
        ByteBuffer finish();
    }
}
