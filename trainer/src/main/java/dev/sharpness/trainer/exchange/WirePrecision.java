package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.Precision;
import dev.sharpness.trainer.exchange.codec.Bf16;

/** The number format of gradient vectors on the wire, fixed for a run by the handshake. */
public enum WirePrecision {
    /**
     * IEEE 754 binary32, 4 bytes per element. Bit-exact: NaN payloads, -0.0, subnormals survive.
     */
    FP32(4, Precision.PRECISION_FP32),
    /**
     * bfloat16, 2 bytes per element: the upper 16 bits of binary32 after round-to-nearest-even on
     * the lower 16. Not bit-exact: values keep 8 significant bits; finite values near the float
     * maximum round to infinity; -0.0 and infinities survive; a NaN stays a NaN (made quiet, sign
     * kept). Replicas stay identical only if each rank also uses {@link #quantize} of its own
     * vector, since that is what its peer receives.
     */
    BF16(2, Precision.PRECISION_BF16);

    private final int bytesPerElement;
    private final Precision wire;

    WirePrecision(int bytesPerElement, Precision wire) {
        this.bytesPerElement = bytesPerElement;
        this.wire = wire;
    }

    /** Bytes one element takes on the wire. */
    public int bytesPerElement() {
        return bytesPerElement;
    }

    /** What the peer receives when this rank sends {@code vector}: the vector itself for FP32. */
    public float[] quantize(float[] vector) {
        if (this == FP32) {
            return vector;
        }
        float[] rounded = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            rounded[i] = Bf16.widen(Bf16.round(vector[i]));
        }
        return rounded;
    }

    Precision wire() {
        return wire;
    }

    static WirePrecision of(Precision wire) {
        for (WirePrecision precision : values()) {
            if (precision.wire == wire) {
                return precision;
            }
        }
        return null;
    }
}
