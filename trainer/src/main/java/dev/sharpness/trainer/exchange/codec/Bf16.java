package dev.sharpness.trainer.exchange.codec;

/**
 * bfloat16 as the exchange writes it: the upper 16 bits of binary32 after round-to-nearest-even on
 * the lower 16, a NaN kept a NaN (made quiet, sign kept). The bulk loops have no branch per
 * element, so a NaN costs what any other value costs and the JIT may unroll them freely.
 */
public final class Bf16 {
    private Bf16() {}

    /** {@code value} rounded to bfloat16, as its 16 bits. */
    public static short round(float value) {
        return round(Float.floatToRawIntBits(value));
    }

    /** The float that bfloat16 {@code bits} stand for, exactly. */
    public static float widen(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /**
     * Rounds {@code count} elements of {@code from} from {@code at} into the start of {@code into}.
     */
    static void round(float[] from, int at, int count, short[] into) {
        for (int i = 0; i < count; i++) {
            into[i] = round(Float.floatToRawIntBits(from[at + i]));
        }
    }

    /** Widens {@code count} elements of {@code from} into {@code into} from {@code at}. */
    static void widen(short[] from, int count, float[] into, int at) {
        for (int i = 0; i < count; i++) {
            into[at + i] = Float.intBitsToFloat((from[i] & 0xffff) << 16);
        }
    }

    private static short round(int bits) {
        int rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16; // ties go to the even half
        // A NaN's rounding could carry into the exponent and make it infinity: keep it a NaN.
        int quietNan = (bits >>> 16) | 0x0040;
        int isNan = (0x7f800000 - (bits & 0x7fffffff)) >> 31; // all ones for a NaN, else 0
        return (short) ((rounded & ~isNan) | (quietNan & isNan));
    }
}
