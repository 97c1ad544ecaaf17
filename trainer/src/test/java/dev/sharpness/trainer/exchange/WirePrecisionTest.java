package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Under bf16 the exchange carries two bytes per element, exactly as the trainer wrote them (the
 * rounding is the trainer's), and half the bytes of fp32 cross.
 */
@Timeout(30)
class WirePrecisionTest {

    @Test
    void bf16CarriesTwoBytesPerElementAsWrittenAndHalvesWhatCrosses() throws Exception {
        int elements = 600_000;
        long fp32Bytes;
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.FP32)) {
            pair.swap(0, new float[elements], new float[elements]);
            fp32Bytes = pair.rank1.stats().lastBytesSent();
        }

        byte[] fromRank0 = Vectors.bytes(2 * elements, 3);
        byte[] fromRank1 = Vectors.bytes(2 * elements, 4);
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.BF16)) {
            byte[][] received = pair.swap(0, fromRank0, fromRank1);

            assertThat(received[0]).isEqualTo(fromRank1);
            assertThat(received[1]).isEqualTo(fromRank0);
            double ratio = (double) pair.rank1.stats().lastBytesSent() / fp32Bytes;
            assertThat(ratio).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
        }
    }

    @Test
    void aBf16VectorOfFp32sSizeIsRefusedWithTheSizeExpected() throws Exception {
        try (Loopback.Pair pair = Loopback.Pair.open(Loopback.identity(10), WirePrecision.BF16)) {
            assertThatThrownBy(() -> pair.rank1.swap(0, new byte[40]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a gradient of 10 elements in BF16 takes 20 bytes, got 40");
        }
    }
}
