package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.api.exchange.v1.Progress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PeerLossTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /**
     * For the losses a rank must be told of: a swap that fails well within this long was not timed
     * out, however loaded the machine.
     */
    private static final Duration LONG_TIMEOUT = Duration.ofSeconds(60);

    /** What a loaded machine may add to a timeout before the swap says so. */
    private static final long SLACK_MILLIS = 5_000;

    private static final Identity IDENTITY = Loopback.identity(50_000);

    @Test
    void rank1LeavingMidRunFailsRank0sNextSwapPromptly() throws Exception {
        try (Loopback.Pair pair = Loopback.Pair.open(IDENTITY, WirePrecision.FP32, LONG_TIMEOUT)) {
            pair.swap(0, new float[50_000], new float[50_000]);

            // Rank 1 ends its streams, then waits for rank 0 to end them too (its last gradient
            // may still be on its way), which rank 0 does once its next swap has failed.
            CompletableFuture<Void> leaving = CompletableFuture.runAsync(pair.rank1::close);

            long start = System.nanoTime();
            assertThatThrownBy(() -> pair.rank0.swap(1, new byte[4 * 50_000]))
                    .isInstanceOf(PeerLostException.class)
                    .hasMessageContaining("rank 1");
            assertThat(millisSince(start)).isLessThan(SLACK_MILLIS);
            pair.rank0.close();
            leaving.get(SLACK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void rank0LeavingMidRunFailsRank1sNextSwapPromptly() throws Exception {
        try (Loopback.Pair pair = Loopback.Pair.open(IDENTITY, WirePrecision.FP32, LONG_TIMEOUT)) {
            pair.swap(0, new float[50_000], new float[50_000]);

            pair.rank0.close();

            long start = System.nanoTime();
            assertThatThrownBy(() -> pair.rank1.swap(1, new byte[4 * 50_000]))
                    .isInstanceOf(PeerLostException.class)
                    .hasMessageContaining("rank 0");
            assertThat(millisSince(start)).isLessThan(SLACK_MILLIS);
        }
    }

    @Test
    void closingDuringAWaitingSwapEndsItAtOnce() throws Exception {
        try (Loopback.Pair pair = Loopback.Pair.open(IDENTITY, WirePrecision.FP32, LONG_TIMEOUT)) {
            var waiting = pair.onRank0(() -> pair.rank0.swap(0, new byte[4 * 50_000]));
            Thread.sleep(200);

            pair.rank0.close();

            assertThatThrownBy(() -> waiting.get(SLACK_MILLIS, TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(PeerLostException.class);
        }
    }

    @Test
    void aSilentPeerFailsTheSwapWithinTheTimeout() throws Exception {
        try (Loopback.Pair pair = Loopback.Pair.open(IDENTITY, WirePrecision.FP32, TIMEOUT)) {
            pair.swap(0, new float[50_000], new float[50_000]);

            long start = System.nanoTime();
            // Rank 1 is alive but never sends step 1 (stuck, or its GPU hung).
            assertThatThrownBy(() -> pair.rank0.swap(1, new byte[4 * 50_000]))
                    .isInstanceOf(PeerLostException.class)
                    .hasMessageContaining(
                            "rank 1 did not deliver the gradient for step 1 within 2.0 s");
            assertThat(millisSince(start)).isBetween(1_900L, 2_000 + SLACK_MILLIS);
        }
    }

    @Test
    void rank0WithoutRank1GivesUpAfterTheTimeout() throws Exception {
        long start = System.nanoTime();
        try (Loopback.Rank0 rank0 =
                new Loopback.Rank0(
                        0,
                        IDENTITY,
                        WirePrecision.FP32,
                        Duration.ofMillis(500),
                        () -> null,
                        Progress::getDefaultInstance)) {
            assertThatThrownBy(rank0::exchange)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(PeerLostException.class)
                    .hasMessageContaining("rank 1 did not pair");
        }
        assertThat(millisSince(start)).isLessThan(500 + SLACK_MILLIS);
    }

    @Test
    void rank1WithoutRank0GivesUpAfterTheTimeout() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // nobody listens here once it is closed
        }
        long start = System.nanoTime();

        assertThatThrownBy(
                        () ->
                                Loopback.connect(
                                        port, IDENTITY, WirePrecision.FP32, Duration.ofSeconds(1)))
                .isInstanceOf(PeerLostException.class)
                .hasMessageContaining("did not answer within 1.0 s");
        assertThat(millisSince(start)).isBetween(900L, 1_000 + SLACK_MILLIS);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
