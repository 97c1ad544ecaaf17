package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SwapTest {

    @Test
    void swapsAVectorLargerThanAGrpcMessageBitExactly() throws Exception {
        int elements = 3_000_000; // 12 MB: three times gRPC's 4 MiB message limit
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.FP32)) {
            pair.swapsBitExactly(elements, 3, 10, 20);
        }
    }

    @Test
    void manyStepsEachDeliverThePeersVectorOfThatStep() throws Exception {
        int elements = 1_000;
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.FP32)) {
            pair.swapsBitExactly(elements, 200, 1000, 2000);
            assertThat(pair.rank0.stats().swaps()).isEqualTo(200);
            assertThat(pair.rank1.stats().swaps()).isEqualTo(200);
        }
    }

    @Test
    void statsCountSwapsBytesAndWallTime() throws Exception {
        int elements = 300_000; // two chunks
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.FP32)) {
            for (long step = 0; step < 4; step++) {
                pair.swap(step, new float[elements], new float[elements]);
            }

            SwapStats stats = pair.rank1.stats();
            assertThat(stats.swaps()).isEqualTo(4);
            assertThat(stats.lastBytesSent()).isBetween(4L * elements, 4L * elements + 100);
            assertThat(stats.bytesSent()).isBetween(4 * 4L * elements, 4 * (4L * elements + 100));
            assertThat(stats.meanMillis()).isPositive();
            // Of 4 swaps, the 99th percentile is the slowest one.
            assertThat(stats.p99Millis())
                    .isGreaterThanOrEqualTo(stats.lastMillis())
                    .isGreaterThanOrEqualTo(stats.meanMillis());
        }
    }

    @Test
    void aVectorOfAnotherLengthIsRefusedBeforeAnythingIsSent() throws Exception {
        try (Loopback.Pair pair = Loopback.Pair.open(Loopback.identity(10), WirePrecision.FP32)) {
            assertThatThrownBy(() -> pair.rank1.swap(0, new byte[4 * 11]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("10 elements");

            float[][] received = pair.swap(0, new float[10], new float[10]);
            assertThat(received[0]).hasSize(10);
        }
    }

    @Test
    void swapTimeOfAResNet56SizedVector() throws Exception {
        int elements = 855_770; // ResNet-56: 3.4 MB of fp32
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.FP32)) {
            float[] fromRank0 = Vectors.randomBits(elements, 1);
            float[] fromRank1 = Vectors.randomBits(elements, 2);
            for (long step = 0; step < 50; step++) {
                float[][] received = pair.swap(step, fromRank0, fromRank1);
                assertThat(received[1]).hasSize(elements);
            }

            SwapStats stats = pair.rank1.stats();
            System.out.printf(
                    "swap of %d floats over loopback, %d swaps: mean %.2f ms, p99 %.2f ms, %d bytes"
                            + " sent per swap%n",
                    elements,
                    stats.swaps(),
                    stats.meanMillis(),
                    stats.p99Millis(),
                    stats.lastBytesSent());
            assertThat(stats.swaps()).isEqualTo(50);
        }
    }

    @Test
    void aGradientOverTwoGibibytesIsRefusedBeforePairingWithWhatWouldFit() {
        long elements = 600_000_000L; // 2.4 GB in fp32, 1.2 GB in bf16
        Identity huge =
                Loopback.identity(
                        "spec-abc", new Layout(List.of("weights"), List.of(new long[] {elements})));

        assertThat(PairExchange.tooLarge(elements, WirePrecision.BF16)).isEmpty();
        assertThat(PairExchange.tooLarge(elements, WirePrecision.FP32))
                .hasValueSatisfying(
                        why ->
                                assertThat(why)
                                        .contains(
                                                "600,000,000 parameters take 2,400,000,000 in FP32")
                                        .contains("spec.communication.precision: bf16"));
        // Refused before anything listens or connects: no port, no peer needed.
        assertThatThrownBy(
                        () ->
                                PairExchange.connect(
                                        "127.0.0.1",
                                        1,
                                        Loopback.TOKEN.getBytes(StandardCharsets.US_ASCII),
                                        huge,
                                        WirePrecision.FP32,
                                        Loopback.TIMEOUT,
                                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 2,147,483,639 bytes");
    }
}
