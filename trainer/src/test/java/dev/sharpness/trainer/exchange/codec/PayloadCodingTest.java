package dev.sharpness.trainer.exchange.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.trainer.exchange.ExchangeProtocolException;
import dev.sharpness.trainer.exchange.Vectors;
import dev.sharpness.trainer.exchange.WirePrecision;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PayloadCodingTest {

    @Test
    void encodesAndDecodesPiecesCutInsideElementsBitForBit() {
        int elements = 10_007;
        float[] vector = Vectors.randomBits(elements, 5);
        for (WirePrecision precision : WirePrecision.values()) {
            byte[] bytes = encode(precision, vector, 1, elements - 1);

            float[] decoded = new float[elements + 2];
            PayloadDecoder decoder = new PayloadDecoder(precision);
            decoder.start(decoded, 2);
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            for (int at = 0, piece = 1; at < bytes.length; at += piece, piece = piece * 3 + 1) {
                int end = Math.min(bytes.length, at + piece);
                decoder.accept(direct.duplicate().position(at).limit(end).slice());
            }
            assertThat(decoder.finish()).isEqualTo(elements - 1);

            float[] expected = precision.quantize(Arrays.copyOfRange(vector, 1, elements));
            Vectors.assertSameBits(Arrays.copyOfRange(decoded, 2, elements + 1), expected);
        }
    }

    @Test
    void oneDecoderServesPayloadAfterPayload() {
        float[] first = Vectors.randomBits(3_000, 6);
        float[] second = Vectors.randomBits(2_000, 7);
        float[] into = new float[5_000];
        PayloadDecoder decoder = new PayloadDecoder(WirePrecision.BF16);

        decoder.start(into, 0);
        decoder.accept(ByteBuffer.wrap(encode(WirePrecision.BF16, first, 0, first.length)));
        assertThat(decoder.finish()).isEqualTo(first.length);
        decoder.start(into, first.length);
        decoder.accept(ByteBuffer.wrap(encode(WirePrecision.BF16, second, 0, second.length)));
        assertThat(decoder.finish()).isEqualTo(second.length);

        Vectors.assertSameBits(
                Arrays.copyOfRange(into, 0, first.length), WirePrecision.BF16.quantize(first));
        Vectors.assertSameBits(
                Arrays.copyOfRange(into, first.length, into.length),
                WirePrecision.BF16.quantize(second));
    }

    @Test
    void aPayloadEndingInsideAnElementIsRefused() {
        PayloadDecoder decoder = new PayloadDecoder(WirePrecision.FP32);
        decoder.start(new float[4], 0);
        decoder.accept(ByteBuffer.wrap(new byte[6]));

        assertThatThrownBy(decoder::finish)
                .isInstanceOf(ExchangeProtocolException.class)
                .hasMessage("a payload ended inside an element: 2 bytes of 4");
    }

    /** {@code count} elements from {@code from}, encoded piece by piece as a frame is written. */
    static byte[] encode(WirePrecision precision, float[] vector, int from, int count) {
        PayloadEncoder encoder = new PayloadEncoder(precision);
        byte[] bytes = new byte[count * precision.bytesPerElement()];
        int perPiece = encoder.elementsPerPiece();
        for (int done = 0; done < count; done += perPiece) {
            int n = Math.min(perPiece, count - done);
            byte[] piece = encoder.encode(vector, from + done, n);
            System.arraycopy(
                    piece,
                    0,
                    bytes,
                    done * precision.bytesPerElement(),
                    n * precision.bytesPerElement());
        }
        return bytes;
    }
}
