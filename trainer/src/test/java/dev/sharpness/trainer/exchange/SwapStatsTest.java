package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The swap time splits into waiting for a late peer and the transfer itself. */
@Timeout(30)
class SwapStatsTest {

    @Test
    void aLatePeerShowsAsPeerWaitOnTheRankThatWaitedForIt() throws Exception {
        int elements = 300_000; // two chunks
        long lateMillis = 300;
        try (Loopback.Pair pair =
                Loopback.Pair.open(Loopback.identity(elements), WirePrecision.FP32)) {
            pair.swap(0, new float[elements], new float[elements]); // warm the path up
            SwapStats warmedUp = pair.rank1.stats();

            CompletableFuture<ByteBuffer> rank1 =
                    CompletableFuture.supplyAsync(
                            () -> {
                                sleep(lateMillis); // rank 1 still computing its gradient
                                return pair.rank1.swap(1, new byte[4 * elements]);
                            });
            pair.rank0.swap(1, new byte[4 * elements]);
            rank1.get(10, TimeUnit.SECONDS);

            SwapStats waited = pair.rank0.stats();
            SwapStats late = pair.rank1.stats();
            assertThat(waited.swaps()).isEqualTo(2);
            assertThat(waited.lastMillis()).isGreaterThanOrEqualTo(lateMillis * 0.9);
            // Of two swaps, rank 0 waited for the late peer in one: about half the late time.
            assertThat(waited.meanPeerWaitMillis()).isGreaterThanOrEqualTo(lateMillis * 0.9 / 2);
            assertThat(waited.meanTransferMillis())
                    .isEqualTo(waited.meanMillis() - waited.meanPeerWaitMillis(), within());
            // The late rank found the peer's vector already there: no wait for it. (Its first swap,
            // with everything still cold, may have waited long on a loaded machine: left out.)
            double lateRanksWait = 2 * late.meanPeerWaitMillis() - warmedUp.meanPeerWaitMillis();
            assertThat(lateRanksWait).isLessThan(lateMillis * 0.5);
            assertThat(late.meanSendMillis()).isPositive();
            assertThat(late.meanEncodeMillis())
                    .isPositive()
                    .isLessThanOrEqualTo(late.meanSendMillis());
            assertThat(late.meanDecodeMillis()).isPositive();
            assertThat(late.p50Millis()).isPositive();
            assertThat(late.p50TransferMillis()).isPositive();
        }
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-6);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
