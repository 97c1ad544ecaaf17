package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Test vectors of arbitrary bits, their bytes as the exchange carries them (fp32, little-endian),
 * and a comparison of floats bit for bit.
 */
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

    /** {@code size} random bytes: a vector in any wire format. */
    public static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        return bytes;
    }

    /** {@code vector}'s fp32 bytes, little-endian, as the exchange carries them. */
    public static byte[] bytes(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * vector.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return bytes.array();
    }

    /** The fp32 vector whose little-endian bytes {@code bytes} holds (position to limit). */
    public static float[] floats(ByteBuffer bytes) {
        float[] vector = new float[bytes.remaining() / 4];
        bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
        return vector;
    }

    /** A copy of what {@code bytes} holds from its position to its limit. */
    public static byte[] copy(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return copy;
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
