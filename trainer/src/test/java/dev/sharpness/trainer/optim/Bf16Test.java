package dev.sharpness.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;

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

    private static int bf16(int floatBits) {
        return Bf16.round(Float.intBitsToFloat(floatBits)) & 0xffff;
    }
}
