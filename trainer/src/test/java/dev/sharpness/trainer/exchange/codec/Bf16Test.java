package dev.sharpness.trainer.exchange.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.trainer.exchange.Vectors;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class Bf16Test {

    @Test
    void roundsToNearestWithTiesToEven() {
        assertThat(bf16(0x3f800000)).isEqualTo(0x3f80); // 1.0 is exact
        assertThat(bf16(0x3f807fff)).isEqualTo(0x3f80); // below half: down
        assertThat(bf16(0x3f808001)).isEqualTo(0x3f81); // above half: up
        assertThat(bf16(0x3f808000)).isEqualTo(0x3f80); // tie, even below: down
        assertThat(bf16(0x3f818000)).isEqualTo(0x3f82); // tie, odd below: up to even
        assertThat(bf16(0xbf818000)).isEqualTo(0xbf82); // the same for negatives
        assertThat(bf16(0x3f7fffff)).isEqualTo(0x3f80); // carries into the exponent
    }

    @Test
    void keepsSignedZerosInfinitiesAndNans() {
        assertThat(bf16(0x80000000)).isEqualTo(0x8000); // -0.0
        assertThat(bf16(0x7f800000)).isEqualTo(0x7f80); // +infinity
        assertThat(bf16(0xff800000)).isEqualTo(0xff80); // -infinity
        assertThat(bf16(0x7f7fffff)).isEqualTo(0x7f80); // the float maximum rounds to infinity
        // A NaN whose payload sits only in the dropped bits must not become infinity.
        assertThat(Bf16.widen(Bf16.round(Float.intBitsToFloat(0x7f800001)))).isNaN();
        assertThat(bf16(0xff800001)).isEqualTo(0xffc0); // negative, and made quiet
        assertThat(bf16(0xffc00000)).isEqualTo(0xffc0);
        assertThat(bf16(0x7fffffff)).isEqualTo(0x7fff); // must not wrap around to +0
        assertThat(bf16(0x00000001)).isEqualTo(0x0000); // the smallest subnormal rounds to +0
    }

    @Test
    void theBulkLoopRoundsEveryValueAsTheDefinitionDoes() {
        float[] vector = Vectors.randomBits(100_000, 11);
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < 1_000; i++) { // NaNs of every payload, and values around them
            int bits = 0x7f800001 + random.nextInt(0x007fffff);
            vector[random.nextInt(vector.length)] = Float.intBitsToFloat(bits);
            vector[random.nextInt(vector.length)] = Float.intBitsToFloat(bits | 0x80000000);
            vector[random.nextInt(vector.length)] = Float.intBitsToFloat(0x7f800000 - (bits & 7));
        }
        short[] bulk = new short[vector.length - 3];

        Bf16.round(vector, 3, vector.length - 3, bulk);

        for (int i = 0; i < bulk.length; i++) {
            assertThat(bulk[i] & 0xffff)
                    .as("element %d, bits %08x", i + 3, Float.floatToRawIntBits(vector[i + 3]))
                    .isEqualTo(definition(Float.floatToRawIntBits(vector[i + 3])));
        }
    }

    /** bfloat16 as the protocol defines it, one case at a time. */
    private static int definition(int bits) {
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return ((bits >>> 16) | 0x0040) & 0xffff;
        }
        long rounded = (bits & 0xffffffffL) + 0x7fff + ((bits >>> 16) & 1);
        return (int) ((rounded >>> 16) & 0xffff);
    }

    private static int bf16(int floatBits) {
        return Bf16.round(Float.intBitsToFloat(floatBits)) & 0xffff;
    }
}
