package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.HandshakeResponse;
import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.exchange.v1.ProgressRequest;
import dev.sharpness.api.exchange.v1.StateRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AuthenticationTest {
    private static final Identity IDENTITY = Loopback.identity(16);

    @Test
    void callsWithAWrongOrMissingTokenAreRefusedAndThePairStillForms() throws Exception {
        try (Loopback.Rank0 rank0 = new Loopback.Rank0(IDENTITY)) {
            ManagedChannel stray = Loopback.channel(rank0.port());
            try {
                for (String token : new String[] {null, "guess", Loopback.TOKEN + "x"}) {
                    PairExchangeGrpc.PairExchangeBlockingStub client =
                            Loopback.client(stray, token);
                    assertRefused(
                            () ->
                                    client.handshake(
                                            Handshakes.request(IDENTITY, WirePrecision.FP32)));
                    assertRefused(
                            () -> client.fetchState(StateRequest.getDefaultInstance()).next());
                    assertRefused(() -> client.getProgress(ProgressRequest.getDefaultInstance()));
                }
            } finally {
                Loopback.close(stray);
            }

            PairExchange rank1 = rank0.connect(IDENTITY);
            try (Loopback.Pair pair = new Loopback.Pair(rank0.exchange(), rank1)) {
                float[] fromRank0 = new float[16];
                fromRank0[3] = 1f;
                float[][] received = pair.swap(0, fromRank0, new float[16]);
                assertThat(received[1]).isEqualTo(fromRank0);
            }
        }
    }

    @Test
    void progressIsServedToTokenHoldersOnly() throws Exception {
        Progress progress =
                Progress.newBuilder()
                        .setEpoch(3)
                        .setStep(1234)
                        .setTotalSteps(9000)
                        .setTrainLoss(0.42)
                        .setTrainAccuracy(0.87)
                        .setValidationAccuracy(0.85)
                        .setTestAccuracy(0.84)
                        .setStepsPerSecond(12.5)
                        .setExchangeMillis(3.2)
                        .setLastCheckpointStep(1000)
                        .build();
        try (Loopback.Rank0 rank0 =
                new Loopback.Rank0(
                        0,
                        IDENTITY,
                        WirePrecision.FP32,
                        Loopback.TIMEOUT,
                        () -> null,
                        () -> progress)) {
            ManagedChannel operator = Loopback.channel(rank0.port());
            try {
                assertThat(
                                Loopback.client(operator, Loopback.TOKEN)
                                        .getProgress(ProgressRequest.getDefaultInstance()))
                        .isEqualTo(progress);
                assertRefused(
                        () ->
                                Loopback.client(operator, null)
                                        .getProgress(ProgressRequest.getDefaultInstance()));
            } finally {
                Loopback.close(operator);
            }
        }
    }

    @Test
    void stateAndStreamNeedTheSessionOfAnAcceptedHandshake() throws Exception {
        try (Loopback.Rank0 rank0 = new Loopback.Rank0(IDENTITY)) {
            ManagedChannel client = Loopback.channel(rank0.port());
            try {
                assertThatThrownBy(
                                () ->
                                        Loopback.client(client, Loopback.TOKEN)
                                                .fetchState(StateRequest.getDefaultInstance())
                                                .next())
                        .isInstanceOfSatisfying(
                                StatusRuntimeException.class,
                                e ->
                                        assertThat(e.getStatus().getCode())
                                                .isEqualTo(Status.Code.FAILED_PRECONDITION));
                Loopback.StreamEnd stream = new Loopback.StreamEnd();
                Loopback.streamingClient(client, "made-up-session").exchange(stream);
                assertThat(stream.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            } finally {
                Loopback.close(client);
            }

            try (PairExchange rank1 = rank0.connect(IDENTITY)) {
                assertThat(rank0.exchange().rank()).isZero();
            }
        }
    }

    @Test
    void onlyOnePeerHoldsTheExchangeStream() throws Exception {
        try (Loopback.Rank0 rank0 = new Loopback.Rank0(IDENTITY)) {
            ManagedChannel client = Loopback.channel(rank0.port());
            try {
                HandshakeResponse accepted = Loopback.handshake(client, IDENTITY);
                assertThat(accepted.getAccepted()).isTrue();
                StreamObserver<Frame> first =
                        Loopback.streamingClient(client, accepted.getSession())
                                .exchange(new Loopback.StreamEnd());
                PairExchange server = rank0.exchange(); // the first stream paired it

                Loopback.StreamEnd second = new Loopback.StreamEnd();
                Loopback.streamingClient(client, accepted.getSession()).exchange(second);
                assertThat(second.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                assertThatThrownBy(
                                () ->
                                        Loopback.client(client, Loopback.TOKEN)
                                                .handshake(
                                                        Handshakes.request(
                                                                IDENTITY, WirePrecision.FP32)))
                        .isInstanceOfSatisfying(
                                StatusRuntimeException.class,
                                e ->
                                        assertThat(e.getStatus().getCode())
                                                .isEqualTo(Status.Code.FAILED_PRECONDITION));
                assertThat(server.rank()).isZero();
                first.onCompleted();
            } finally {
                Loopback.close(client);
            }
        }
    }

    private static void assertRefused(Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e ->
                                assertThat(e.getStatus().getCode())
                                        .isEqualTo(Status.Code.UNAUTHENTICATED));
    }
}
