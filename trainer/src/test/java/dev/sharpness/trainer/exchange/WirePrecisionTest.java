package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WirePrecisionTest {

    @Test
    void fp32QuantizeLeavesVectorsAlone() {
        float[] vector = {1.1f, -0.0f, Float.NaN};

        assertThat(WirePrecision.FP32.quantize(vector)).isSameAs(vector);
    }

    @Test
    void bf16HalvesTheBytesAndDeliversTheRoundedVector() throws Exception {
        int elements = 600_000;
        float[] fromRank0 = Vectors.randomBits(elements, 3);
        float[] fromRank1 = Vectors.randomBits(elements, 4);
        long fp32Bytes;
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.FP32)) {
            pair.swap(0, fromRank0, fromRank1);
            fp32Bytes = pair.rank1.stats().lastBytesSent();
        }

        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.BF16)) {
            float[][] received = pair.swap(0, fromRank0, fromRank1);

            Vectors.assertSameBits(received[0], WirePrecision.BF16.quantize(fromRank1));
            Vectors.assertSameBits(received[1], WirePrecision.BF16.quantize(fromRank0));
            double ratio = (double) pair.rank1.stats().lastBytesSent() / fp32Bytes;
            assertThat(ratio).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
        }
    }
}
