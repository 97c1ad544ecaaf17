package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.api.exchange.v1.HandshakeResponse;
import dev.sharpness.api.exchange.v1.Progress;
import io.grpc.ManagedChannel;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HandshakeTest {
    private static final Layout MODEL =
            new Layout(
                    List.of("stem.weight", "stem.bias", "bn.gamma", "conv.weight", "fc.weight"),
                    List.of(
                            new long[] {16, 3, 3, 3},
                            new long[] {16},
                            new long[] {16},
                            new long[] {16, 1, 3, 3},
                            new long[] {10, 16}));

    @Test
    void aDifferentSpecHashFailsBothRanksNamingBothHashes() throws Exception {
        String difference = "spec hash differs: rank 0 has abc, rank 1 has xyz";

        assertBothRanksFail(
                Loopback.identity("abc", MODEL), Loopback.identity("xyz", MODEL), difference);
    }

    @Test
    void aDifferentLayoutFailsBothRanksNamingTheParameterAndShapes() throws Exception {
        List<long[]> shapes = new ArrayList<>(MODEL.shapes());
        shapes.set(3, new long[] {16, 3, 3, 3});
        Layout other = new Layout(MODEL.names(), shapes);

        assertBothRanksFail(
                Loopback.identity("abc", MODEL),
                Loopback.identity("abc", other),
                "parameter 3 'conv.weight' shape [16,1,3,3] vs [16,3,3,3]");
    }

    @Test
    void aMismatchedHandshakeAfterPairingIsAnsweredAndThePairGoesOn() throws Exception {
        Identity identity = Loopback.identity("abc", MODEL);
        try (Loopback.Rank0 rank0 = new Loopback.Rank0(identity)) {
            PairExchange rank1 = rank0.connect(identity);
            try (Loopback.Pair pair = new Loopback.Pair(rank0.exchange(), rank1)) {
                ManagedChannel stray = Loopback.channel(rank0.port());
                try {
                    HandshakeResponse answer =
                            Loopback.client(stray, Loopback.TOKEN)
                                    .handshake(
                                            Handshakes.request(
                                                    Loopback.identity("old", MODEL),
                                                    WirePrecision.FP32));
                    assertThat(answer.getAccepted()).isFalse();
                    assertThat(answer.getReason()).contains("spec hash differs");
                } finally {
                    Loopback.close(stray);
                }

                float[][] received = pair.swap(0, new float[768], new float[768]);
                assertThat(received[1]).hasSize(768);
            }
        }
    }

    @Test
    void differencesNameEveryFieldThatDiffers() {
        Identity rank0 = new Identity("uid-a", 1, "abc", MODEL);
        Layout renamed =
                new Layout(
                        List.of("stem.weight", "stem.bias", "bn.beta"),
                        MODEL.shapes().subList(0, 3));
        Identity rank1 = new Identity("uid-b", 2, "abc", renamed);

        List<String> differences =
                Handshakes.differences(
                        rank0, WirePrecision.FP32, Handshakes.request(rank1, WirePrecision.BF16));

        assertThat(differences)
                .containsExactly(
                        "job uid differs: rank 0 has uid-a, rank 1 has uid-b",
                        "attempt differs: rank 0 has 1, rank 1 has 2",
                        "wire precision differs: rank 0 has FP32, rank 1 has BF16",
                        "element count differs: rank 0 has 768, rank 1 has 464",
                        "parameter count differs: rank 0 has 5, rank 1 has 3",
                        "parameter 2 name 'bn.gamma' vs 'bn.beta'");
        assertThat(
                        Handshakes.differences(
                                rank0,
                                WirePrecision.FP32,
                                Handshakes.request(rank0, WirePrecision.FP32)))
                .isEmpty();
    }

    @Test
    void rank1StartedBeforeRank0StillConnects() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // free now; rank 0 takes it below
        }
        Identity identity = Loopback.identity(32);
        ExecutorService rank1Thread = Executors.newSingleThreadExecutor();
        try {
            Future<PairExchange> rank1 =
                    rank1Thread.submit(
                            () ->
                                    Loopback.connect(
                                            port, identity, WirePrecision.FP32, Loopback.TIMEOUT));
            Thread.sleep(600); // rank 1 is refused a few times meanwhile
            assertThat(rank1).isNotDone();

            try (Loopback.Rank0 rank0 =
                    new Loopback.Rank0(
                            port,
                            identity,
                            WirePrecision.FP32,
                            Loopback.TIMEOUT,
                            () -> new byte[] {1, 2, 3},
                            Progress::getDefaultInstance)) {
                try (Loopback.Pair pair =
                        new Loopback.Pair(rank0.exchange(), rank1.get(10, TimeUnit.SECONDS))) {
                    assertThat(pair.rank1.resumeState()).containsExactly(1, 2, 3);
                    float[][] received = pair.swap(0, new float[32], new float[32]);
                    assertThat(received[0]).hasSize(32);
                }
            }
        } finally {
            rank1Thread.shutdownNow();
        }
    }

    private static void assertBothRanksFail(
            Identity rank0Identity, Identity rank1Identity, String difference) throws Exception {
        try (Loopback.Rank0 rank0 = new Loopback.Rank0(rank0Identity)) {
            assertThatThrownBy(() -> rank0.connect(rank1Identity))
                    .isInstanceOf(ExchangeMismatchException.class)
                    .hasMessageContaining("rank 0 at 127.0.0.1:")
                    .hasMessageContaining(difference);

            assertThatThrownBy(rank0::exchange)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ExchangeMismatchException.class)
                    .hasMessageContaining("does not match rank 0")
                    .hasMessageContaining(difference);
        }
    }
}
