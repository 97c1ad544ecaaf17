package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WirePrecisionTest {

    @Test
    void bf16RoundsToNearestWithTiesToEven() {
        assertThat(bf16(0x3f800000)).isEqualTo(0x3f80); // 1.0 is exact
        assertThat(bf16(0x3f807fff)).isEqualTo(0x3f80); // below half: down
        assertThat(bf16(0x3f808001)).isEqualTo(0x3f81); // above half: up
        assertThat(bf16(0x3f808000)).isEqualTo(0x3f80); // tie, even below: down
        assertThat(bf16(0x3f818000)).isEqualTo(0x3f82); // tie, odd below: up to even
        assertThat(bf16(0xbf818000)).isEqualTo(0xbf82); // the same for negatives
        assertThat(bf16(0x3f7fffff)).isEqualTo(0x3f80); // carries into the exponent
    }

    @Test
    void bf16KeepsSignedZerosInfinitiesAndNans() {
        assertThat(bf16(0x80000000)).isEqualTo(0x8000); // -0.0
        assertThat(bf16(0x7f800000)).isEqualTo(0x7f80); // +infinity
        assertThat(bf16(0xff800000)).isEqualTo(0xff80); // -infinity
        assertThat(bf16(0x7f7fffff)).isEqualTo(0x7f80); // the float maximum rounds to infinity
        // A NaN whose payload sits only in the dropped bits must not become infinity.
        assertThat(WirePrecision.fromBf16(WirePrecision.toBf16(Float.intBitsToFloat(0x7f800001))))
                .isNaN();
        assertThat(bf16(0xffc00000)).isEqualTo(0xffc0);
        assertThat(bf16(0x00000001)).isEqualTo(0x0000); // the smallest subnormal rounds to +0
    }

    @Test
    void fp32QuantizeLeavesVectorsAlone() {
        float[] vector = {1.1f, -0.0f, Float.NaN};

        assertThat(WirePrecision.FP32.quantize(vector)).isSameAs(vector);
    }

    @Test
    void bf16HalvesTheBytesAndDeliversTheRoundedVector() throws Exception {
        int elements = 600_000;
        float[] fromRank0 = SwapTest.randomBits(elements, 3);
        float[] fromRank1 = SwapTest.randomBits(elements, 4);
        long fp32Bytes;
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.FP32)) {
            pair.swap(0, fromRank0, fromRank1);
            fp32Bytes = pair.rank1.stats().lastBytesSent();
        }

        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.BF16)) {
            float[][] received = pair.swap(0, fromRank0, fromRank1);

            SwapTest.assertSameBits(received[0], WirePrecision.BF16.quantize(fromRank1));
            SwapTest.assertSameBits(received[1], WirePrecision.BF16.quantize(fromRank0));
            double ratio = (double) pair.rank1.stats().lastBytesSent() / fp32Bytes;
            assertThat(ratio).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
        }
    }

    @Test
    void encodesAndDecodesPiecesCutInsideElementsBitForBit() {
        int elements = 10_007;
        float[] vector = SwapTest.randomBits(elements, 5);
        for (WirePrecision precision : WirePrecision.values()) {
            byte[] bytes = new byte[elements * precision.bytesPerElement()];
            // Encoded in two calls from an offset, as a gradient chunk is piece by piece.
            int firstHalf = 4_001;
            byte[] scratch = new byte[bytes.length];
            int size = precision.encode(vector, 1, firstHalf, scratch);
            System.arraycopy(scratch, 0, bytes, 0, size);
            int rest = precision.encode(vector, 1 + firstHalf, elements - 1 - firstHalf, scratch);
            System.arraycopy(scratch, 0, bytes, size, rest);
            assertThat(size + rest).isEqualTo((elements - 1) * precision.bytesPerElement());

            float[] decoded = new float[elements + 2];
            WirePrecision.Decoder decoder = precision.decoder(decoded, 2);
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(size + rest);
            direct.put(bytes, 0, size + rest).flip();
            for (int at = 0, piece = 1; at < size + rest; at += piece, piece = piece * 3 + 1) {
                int end = Math.min(size + rest, at + piece);
                decoder.accept(direct.duplicate().position(at).limit(end).slice());
            }
            assertThat(decoder.finish()).isEqualTo(elements - 1);

            float[] expected =
                    precision.quantize(java.util.Arrays.copyOfRange(vector, 1, elements));
            SwapTest.assertSameBits(
                    java.util.Arrays.copyOfRange(decoded, 2, elements + 1), expected);
        }
    }

    private static int bf16(int floatBits) {
        return WirePrecision.toBf16(Float.intBitsToFloat(floatBits)) & 0xffff;
    }
}
