package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Test vectors of arbitrary bits, and a comparison of floats bit for bit. */
public final class Vectors {
    /** Every float that arithmetic could normalise: a transport must carry them untouched. */
    private static final int[] SPECIAL_BITS = {
        0x7fc00000, // the canonical NaN
        0x7fc12345, // a quiet NaN with a payload
        0xffc00001, // a negative NaN
        0x7f800001, // a signalling NaN
        0x80000000, // -0.0
        0x00000000, // +0.0
        0x00000001, // the smallest subnormal
        0x807fffff, // the largest negative subnormal
        0x7f800000, // +infinity
        0xff800000, // -infinity
        0x7f7fffff, // the largest finite float
    };

    private Vectors() {}

    public static float[] randomBits(int elements, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] vector = new float[elements];
        for (int i = 0; i < elements; i++) {
            vector[i] = Float.intBitsToFloat(random.nextInt());
        }
        for (int i = 0; i < SPECIAL_BITS.length && i < elements; i++) {
            vector[(int) ((i * 7919L + seed) % elements)] = Float.intBitsToFloat(SPECIAL_BITS[i]);
        }
        return vector;
    }

    public static void assertSameBits(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        int[] actualBits = new int[actual.length];
        int[] expectedBits = new int[expected.length];
        for (int i = 0; i < actual.length; i++) {
            actualBits[i] = Float.floatToRawIntBits(actual[i]);
            expectedBits[i] = Float.floatToRawIntBits(expected[i]);
        }
        int first = Arrays.mismatch(actualBits, expectedBits);
        assertThat(first)
                .as(
                        "first differing element: %s",
                        first < 0
                                ? "none"
                                : Integer.toHexString(actualBits[first])
                                        + " vs "
                                        + Integer.toHexString(expectedBits[first]))
                .isEqualTo(-1);
    }
}
