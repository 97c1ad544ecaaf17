package dev.sharpness.trainer.exchange;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.sharpness.trainer.exchange.proto.Precision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
            rounded[i] = fromBf16(toBf16(vector[i]));
        }
        return rounded;
    }

    Precision wire() {
        return wire;
    }

    /**
     * Encodes {@code count} elements of {@code vector} from {@code from}, little-endian, into the
     * start of {@code into} (at least {@code count * bytesPerElement()} long) and returns a payload
     * that shares {@code into}, not a copy: the caller may write {@code into} again only once the
     * payload has been serialized.
     */
    ByteString encode(float[] vector, int from, int count, byte[] into) {
        int size = count * bytesPerElement;
        ByteBuffer buffer = ByteBuffer.wrap(into, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        if (this == FP32) {
            buffer.asFloatBuffer().put(vector, from, count);
        } else {
            for (int i = 0; i < count; i++) {
                buffer.putShort(toBf16(vector[from + i]));
            }
        }
        return UnsafeByteOperations.unsafeWrap(into, 0, size);
    }

    /** Decodes all of {@code payload} into {@code vector} from {@code at}; returns the count. */
    int decode(ByteString payload, float[] vector, int at) {
        ByteBuffer buffer = payload.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int count = payload.size() / bytesPerElement;
        if (this == FP32) {
            buffer.asFloatBuffer().get(vector, at, count);
        } else {
            for (int i = 0; i < count; i++) {
                vector[at + i] = fromBf16(buffer.getShort());
            }
        }
        return count;
    }

    static short toBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            // NaN: rounding could carry into the exponent and make it infinity; keep it a NaN.
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7fff + ((bits >>> 16) & 1); // ties go to the even upper half
        return (short) ((bits + roundingBias) >>> 16);
    }

    static float fromBf16(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
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
