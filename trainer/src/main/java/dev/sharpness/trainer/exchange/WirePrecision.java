package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.Precision;

/** The number format of gradient vectors on the wire, fixed for a run by the handshake. */
public enum WirePrecision {
    /**
     * IEEE 754 binary32, 4 bytes per element. Bit-exact: NaN payloads, -0.0, subnormals survive.
     */
    FP32(4, Precision.PRECISION_FP32),
    /**
     * bfloat16, 2 bytes per element: the upper 16 bits of binary32 after round-to-nearest-even on
     * the lower 16. Not bit-exact: values keep 8 significant bits. The exchange carries the 2 bytes
     * as the trainer wrote them; the rank that rounded its vector must itself step along the
     * rounded vector, since that is what its peer receives, or the replicas drift apart.
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
