package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class CloseTest {

    @Test
    void closingBothRanksFreesThePortAndTheirThreads() throws Exception {
        int port;
        Loopback.Pair pair = Loopback.Pair.open(Loopback.identity(1_000), WirePrecision.FP32);
        try {
            pair.swap(0, new float[1_000], new float[1_000]);
            port = pair.rank0.port();
        } finally {
            pair.close();
        }

        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        // A pool's threads outlive its termination by a moment: give them that moment.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!exchangeThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(exchangeThreads()).isEmpty();
    }

    @ParameterizedTest(name = "rank {0} closes")
    @ValueSource(ints = {0, 1})
    void aRankClosingRightAfterItsLastSwapStillDeliversItsVector(int closing) throws Exception {
        // The other rank's vector is in before the closing rank swaps, so that swap returns as
        // soon as its own vector is handed to the transport, and the rank closes at once, as a
        // benchmark or a run that ends on a swap does. The other rank must still get all of it.
        int elements = 1 << 20;
        for (int round = 0; round < 3; round++) {
            float[] fromRank0 = Vectors.randomBits(elements, 2 * round);
            float[] fromRank1 = Vectors.randomBits(elements, 2 * round + 1);
            try (Loopback.Pair pair =
                    Loopback.Pair.open(Loopback.identity(elements), WirePrecision.FP32)) {
                pair.swapsBitExactly(elements, 1, 100, 200);
                PairExchange closer = closing == 0 ? pair.rank0 : pair.rank1;
                PairExchange other = closing == 0 ? pair.rank1 : pair.rank0;
                float[] fromCloser = closing == 0 ? fromRank0 : fromRank1;
                float[] fromOther = closing == 0 ? fromRank1 : fromRank0;
                CompletableFuture<float[]> atOther =
                        CompletableFuture.supplyAsync(
                                () -> Vectors.floats(other.swap(1, Vectors.bytes(fromOther))));
                Thread.sleep(200); // the other's vector is at the closer by now

                Vectors.assertSameBits(
                        Vectors.floats(closer.swap(1, Vectors.bytes(fromCloser))), fromOther);
                // Rank 1 waits there until rank 0 ends the stream, as rank 0 does once it has all.
                CompletableFuture<Void> closed = CompletableFuture.runAsync(closer::close);

                Vectors.assertSameBits(atOther.get(10, TimeUnit.SECONDS), fromCloser);
                other.close();
                closed.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aClosedExchangeRefusesToSwapAndClosesTwiceQuietly() throws Exception {
        Loopback.Pair pair = Loopback.Pair.open(Loopback.identity(10), WirePrecision.FP32);
        pair.close();
        pair.close();

        assertThatThrownBy(() -> pair.rank1.swap(0, new byte[4 * 10]))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the exchange is closed");
    }

    private static List<String> exchangeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("exchange-"))
                .toList();
    }
}
