package dev.sharpness.trainer.exchange;

import dev.sharpness.trainer.exchange.proto.Precision;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Objects;

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

    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

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
     * start of {@code into} (at least {@code count * bytesPerElement()} long); returns the bytes
     * written.
     */
    int encode(float[] vector, int from, int count, byte[] into) {
        int size = count * bytesPerElement;
        if (this == FP32) {
            ByteBuffer.wrap(into, 0, size)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .put(vector, from, count);
        } else {
            // A view handle, not ByteBuffer.putShort: half the time per element, which at a
            // 146 MB gradient is about 20 ms of CPU per swap.
            Objects.checkFromIndexSize(from, count, vector.length);
            Objects.checkFromIndexSize(0, size, into.length);
            for (int i = 0; i < count; i++) {
                SHORT_LE.set(into, 2 * i, toBf16(vector[from + i]));
            }
        }
        return size;
    }

    /** A decoder of payload bytes into {@code vector} from {@code at}. */
    Decoder decoder(float[] vector, int at) {
        return new Decoder(this, vector, at);
    }

    /**
     * Turns a payload, handed over in pieces of any size as the transport cut it, into elements. An
     * element may straddle two pieces: its first bytes wait in {@code carry} for the rest.
     */
    static final class Decoder {
        private static final int HALVES = 4096;

        private final WirePrecision precision;
        private final float[] vector;
        private final int from;
        private final ByteBuffer carry;
        private short[] halves; // bf16 elements on their way from the payload, made when needed
        private int next;

        private Decoder(WirePrecision precision, float[] vector, int at) {
            this.precision = precision;
            this.vector = vector;
            this.from = at;
            this.next = at;
            this.carry =
                    ByteBuffer.allocate(precision.bytesPerElement).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Decodes what {@code piece} holds from its position to its limit. */
        void accept(ByteBuffer piece) {
            piece.order(ByteOrder.LITTLE_ENDIAN);
            if (carry.position() > 0) {
                while (carry.hasRemaining() && piece.hasRemaining()) {
                    carry.put(piece.get());
                }
                if (carry.hasRemaining()) {
                    return;
                }
                decode(carry.flip());
                carry.clear();
            }
            decode(piece);
            carry.put(piece); // fewer bytes than one element
        }

        /** The number of elements decoded. */
        int finish() {
            if (carry.position() > 0) {
                throw new ExchangeProtocolException(
                        "a payload ended inside an element: %d bytes of %d"
                                .formatted(carry.position(), precision.bytesPerElement));
            }
            return next - from;
        }

        /** Decodes the whole elements of {@code bytes}, leaving the rest of an element there. */
        private void decode(ByteBuffer bytes) {
            int count = bytes.remaining() / precision.bytesPerElement;
            if (precision == FP32) {
                bytes.asFloatBuffer().get(vector, next, count);
                bytes.position(bytes.position() + 4 * count);
            } else {
                // In bulk through a small array: per-element getShort on gRPC's direct buffers
                // takes about half as long again.
                ShortBuffer shorts = bytes.asShortBuffer();
                if (halves == null) {
                    halves = new short[HALVES];
                }
                for (int done = 0; done < count; ) {
                    int run = Math.min(halves.length, count - done);
                    shorts.get(halves, 0, run);
                    for (int i = 0; i < run; i++) {
                        vector[next + done + i] = fromBf16(halves[i]);
                    }
                    done += run;
                }
                bytes.position(bytes.position() + 2 * count);
            }
            next += count;
        }
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
