package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.FrameKind;
import dev.sharpness.api.exchange.v1.HandshakeResponse;
import dev.sharpness.api.exchange.v1.Progress;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pair over several exchange streams, each carrying a slice of every gradient: the same bits as
 * over one, the same endings, and no stream more than the session agreed.
 */
@Timeout(60)
class SeveralStreamsTest {
    private static final int ELEMENTS = 300_001; // room for a state of more than one chunk
    private static final Identity IDENTITY = Loopback.identity(ELEMENTS);

    @Test
    void threeStreamsDeliverExactlyWhatWasSentAtSizesNotDivisibleByThree() throws Exception {
        // Several 1 MiB chunks per stream; and fewer elements than streams (empty slices).
        for (int elements : new int[] {1_000_003, 2}) {
            for (WirePrecision precision : WirePrecision.values()) {
                int size = elements * precision.bytesPerElement();
                byte[][] fromRank0 = {Vectors.bytes(size, 31), Vectors.bytes(size, 32)};
                byte[][] fromRank1 = {Vectors.bytes(size, 41), Vectors.bytes(size, 42)};
                byte[][][] overThree = swapAll(3, elements, precision, fromRank0, fromRank1);

                for (int step = 0; step < 2; step++) {
                    assertThat(overThree[step][0]).isEqualTo(fromRank1[step]);
                    assertThat(overThree[step][1]).isEqualTo(fromRank0[step]);
                }
            }
        }
    }

    @Test
    void thePairUsesTheFewerOfBothRanksStreams() throws Exception {
        Identity identity = Loopback.identity(1_000);
        try (Loopback.Pair pair =
                Loopback.Pair.open(identity, WirePrecision.FP32, Loopback.TIMEOUT, 4, 2)) {
            assertThat(pair.rank0.streams()).isEqualTo(2);
            assertThat(pair.rank1.streams()).isEqualTo(2);
            pair.swap(0, new float[1_000], new float[1_000]);
        }
        try (Loopback.Pair pair =
                Loopback.Pair.open(identity, WirePrecision.FP32, Loopback.TIMEOUT, 2, 5)) {
            assertThat(pair.rank0.streams()).isEqualTo(2);
            assertThat(pair.rank1.streams()).isEqualTo(2);
        }
    }

    @Test
    void aRank1ThatOffersNoStreamCountGetsOne() throws Exception {
        try (Loopback.Rank0 rank0 = rank0Offering(4)) {
            ManagedChannel client = Loopback.channel(rank0.port());
            try {
                HandshakeResponse accepted =
                        Loopback.client(client, Loopback.TOKEN)
                                .handshake(
                                        Handshakes.request(IDENTITY, WirePrecision.FP32).toBuilder()
                                                .clearExchangeStreams()
                                                .build());

                assertThat(accepted.getAccepted()).isTrue();
                assertThat(accepted.getExchangeStreams()).isEqualTo(1);
            } finally {
                Loopback.close(client);
            }
        }
    }

    @Test
    void theReceivedBufferIsReusedEveryOtherSwapInsteadOfAllocated() throws Exception {
        try (Loopback.Pair pair =
                Loopback.Pair.open(IDENTITY, WirePrecision.FP32, Loopback.TIMEOUT, 2, 2)) {
            List<ByteBuffer> received = new ArrayList<>();
            for (long step = 0; step < 4; step++) {
                long now = step;
                Future<ByteBuffer> atRank0 =
                        pair.callOnRank0(() -> pair.rank0.swap(now, new byte[4 * ELEMENTS]));
                received.add(pair.rank1.swap(step, new byte[4 * ELEMENTS]));
                atRank0.get(5, TimeUnit.SECONDS);
            }

            assertThat(received.get(2)).isSameAs(received.get(0));
            assertThat(received.get(3)).isSameAs(received.get(1));
            assertThat(received.get(1)).isNotSameAs(received.get(0));
        }
    }

    @Test
    void oneStreamLostMidSwapEndsBothRanksAsAPeerLoss() throws Exception {
        // A minute's timeout: a swap that fails within seconds was told of the loss.
        try (Loopback.Pair pair =
                Loopback.Pair.open(IDENTITY, WirePrecision.FP32, Duration.ofSeconds(60), 3, 3)) {
            pair.swap(0, new float[ELEMENTS], new float[ELEMENTS]);
            Future<ByteBuffer> waiting =
                    pair.callOnRank0(() -> pair.rank0.swap(1, new byte[4 * ELEMENTS]));
            Thread.sleep(200); // rank 0 has sent and waits for rank 1's gradient

            pair.rank1.abortStream(2);

            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(PeerLostException.class)
                    .hasMessageContaining("rank 1");
            assertThatThrownBy(() -> pair.rank1.swap(1, new byte[4 * ELEMENTS]))
                    .isInstanceOf(PeerLostException.class);
        }
    }

    @Test
    void streamsBeyondTheSessionsAreRefusedAndTheSessionsStillPair() throws Exception {
        try (Loopback.Rank0 rank0 = rank0Offering(2)) {
            ManagedChannel client = Loopback.channel(rank0.port());
            try {
                HandshakeResponse accepted =
                        Loopback.client(client, Loopback.TOKEN)
                                .handshake(Handshakes.request(IDENTITY, WirePrecision.FP32, 2));
                assertThat(accepted.getExchangeStreams()).isEqualTo(2);
                String session = accepted.getSession();
                Loopback.StreamEnd first = open(client, session, "0");
                Loopback.StreamEnd second = open(client, session, "1");
                PairExchange exchange = rank0.exchange();
                assertThat(exchange.streams()).isEqualTo(2);

                for (String extra : new String[] {"2", "1", "-1", "x"}) {
                    Loopback.StreamEnd refused = open(client, session, extra);
                    assertThat(refused.code()).as(extra).isEqualTo(Status.Code.FAILED_PRECONDITION);
                }
                assertThat(first.status).isNotDone();
                assertThat(second.status).isNotDone();
            } finally {
                Loopback.close(client);
            }
        }
    }

    @Test
    void aStreamThePeerEndsCleanlyDoesNotCutTheSliceStillComingOnAnother() throws Exception {
        // A peer that closes right after its last swap ends its streams one by one, and stream 0's
        // end can arrive before the last of its slice on stream 1 has. Played here by a raw rank 1.
        try (Loopback.Rank0 rank0 = rank0Offering(2)) {
            ManagedChannel client = Loopback.channel(rank0.port());
            ExecutorService swapping = Executors.newSingleThreadExecutor();
            try {
                String session = session(client, IDENTITY, 2);
                SliceArrival zeroIn = new SliceArrival();
                SliceArrival oneIn = new SliceArrival();
                StreamObserver<Frame> zero = exchange(client, session, "0", zeroIn);
                StreamObserver<Frame> one = exchange(client, session, "1", oneIn);
                PairExchange exchange = rank0.exchange();
                Future<float[]> swapped =
                        swapping.submit(
                                () -> Vectors.floats(exchange.swap(0, new byte[4 * ELEMENTS])));
                float[] sent = Vectors.randomBits(ELEMENTS, 4);
                int half = ExchangeStream.sliceStart(ELEMENTS, 1, 2);
                // As after a real peer's last swap: it has what rank 0 sent before it ends.
                assertThat(zeroIn.last.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(oneIn.last.await(5, TimeUnit.SECONDS)).isTrue();

                zero.onNext(slice(sent, 0, half));
                zero.onCompleted();
                Thread.sleep(300); // stream 0's end is in before stream 1's slice
                one.onNext(slice(sent, half, ELEMENTS));

                Vectors.assertSameBits(swapped.get(5, TimeUnit.SECONDS), sent);
                // Stream 0 is over all the same: the next swap is a lost peer.
                assertThatThrownBy(() -> exchange.swap(1, new byte[4 * ELEMENTS]))
                        .isInstanceOf(PeerLostException.class)
                        .hasMessageContaining("rank 1 closed the exchange stream");
                one.onCompleted();
            } finally {
                swapping.shutdownNow();
                Loopback.close(client);
            }
        }
    }

    @Test
    void rank0ClosingRightAfterItsLastSwapLetsASlowRank1TakeAllOfIt() throws Exception {
        // Rank 1's vector is in before rank 0 swaps, so rank 0's swap returns once its own is
        // handed to the transport, and rank 0 closes at once. Rank 1 (a raw one here) reads
        // nothing for a while, as a rank whose process is starved of CPU: most of rank 0's vector
        // still waits in rank 0's transport, and must not be cut.
        int elements = 1 << 20;
        Identity identity = Loopback.identity(elements);
        try (Loopback.Rank0 rank0 = rank0Offering(identity, 1)) {
            ManagedChannel client = Loopback.channel(rank0.port());
            try {
                String session = session(client, identity, 1);
                SlowReader reader = new SlowReader();
                StreamObserver<Frame> zero = exchange(client, session, "0", reader);
                PairExchange exchange = rank0.exchange();
                float[] fromRank1 = new float[elements];
                int chunk = ExchangeStream.CHUNK_BYTES / 4;
                for (int to = elements; to > 0; to -= chunk) {
                    zero.onNext(slice(fromRank1, to - chunk, to, to == chunk));
                }
                exchange.swap(0, new byte[4 * elements]);

                CompletableFuture<Void> closed = CompletableFuture.runAsync(exchange::close);
                Thread.sleep(1_500);
                reader.call.request(Integer.MAX_VALUE);

                assertThat(reader.end.get(10, TimeUnit.SECONDS)).isEqualTo(Status.Code.OK);
                assertThat(reader.bytes.get()).isEqualTo(4L * elements);
                zero.onCompleted();
                closed.get(10, TimeUnit.SECONDS);
            } finally {
                Loopback.close(client);
            }
        }
    }

    @Test
    void checksumsStateAndDivergenceTravelOnStreamZero() throws Exception {
        try (Loopback.Pair pair =
                Loopback.Pair.open(IDENTITY, WirePrecision.FP32, Loopback.TIMEOUT, 3, 3)) {
            Future<?> verified = pair.onRank0(() -> pair.rank0.verifyReplicas(1, new byte[32]));
            pair.rank1.verifyReplicas(1, new byte[32]);
            verified.get(5, TimeUnit.SECONDS);
            float[] state = Vectors.randomBits(300_000, 9);
            Future<float[]> received = pair.callOnRank0(() -> pair.rank0.receiveState(1));
            pair.rank1.sendState(1, state);
            Vectors.assertSameBits(received.get(5, TimeUnit.SECONDS), state);

            pair.rank1.reportDiverged(2, "loss is NaN");
            // Rank 1 closes as its run ends, lingering until rank 0 has heard the news.
            Thread rank1Closing = new Thread(pair.rank1::close);
            rank1Closing.start();

            assertThatThrownBy(() -> pair.rank0.swap(2, new byte[4 * ELEMENTS]))
                    .isInstanceOf(PeerDivergedException.class)
                    .hasMessage("rank 1 diverged at step 2: loss is NaN");
            pair.rank0.close();
            rank1Closing.join(10_000);
        }
    }

    /**
     * Both ranks swap each vector in turn over {@code streams} streams: {step: {rank 0's, 1's}}.
     */
    private static byte[][][] swapAll(
            int streams,
            int elements,
            WirePrecision precision,
            byte[][] fromRank0,
            byte[][] fromRank1)
            throws Exception {
        byte[][][] received = new byte[fromRank0.length][][];
        try (Loopback.Pair pair =
                Loopback.Pair.open(
                        Loopback.identity(elements),
                        precision,
                        Loopback.TIMEOUT,
                        streams,
                        streams)) {
            assertThat(pair.rank1.streams()).isEqualTo(streams);
            for (int step = 0; step < fromRank0.length; step++) {
                received[step] = pair.swap(step, fromRank0[step], fromRank1[step]);
            }
        }
        return received;
    }

    private static Loopback.Rank0 rank0Offering(int streams) {
        return rank0Offering(IDENTITY, streams);
    }

    private static Loopback.Rank0 rank0Offering(Identity identity, int streams) {
        return new Loopback.Rank0(
                0,
                identity,
                new ExchangeSettings(WirePrecision.FP32, Duration.ofSeconds(5), streams),
                () -> null,
                Progress::getDefaultInstance);
    }

    /** Handshakes as a raw rank 1 of {@code identity} offering {@code streams}: the session. */
    private static String session(ManagedChannel client, Identity identity, int streams) {
        return Loopback.client(client, Loopback.TOKEN)
                .handshake(Handshakes.request(identity, WirePrecision.FP32, streams))
                .getSession();
    }

    /** A raw exchange stream named {@code stream}, whose answers go to {@code answers}. */
    private static StreamObserver<Frame> exchange(
            ManagedChannel client, String session, String stream, StreamObserver<Frame> answers) {
        Metadata named = new Metadata();
        named.put(PairExchangeService.STREAM_HEADER, stream);
        return Loopback.streamingClient(client, session)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(named))
                .exchange(answers);
    }

    /** Elements {@code [from, to)} of {@code vector} as step 0's gradient, in one frame. */
    private static Frame slice(float[] vector, int from, int to) {
        return slice(vector, from, to, true);
    }

    /** The same, marked as the last of its stream's slice or not. */
    private static Frame slice(float[] vector, int from, int to, boolean last) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector, from, to - from);
        return Frame.newBuilder()
                .setStep(0)
                .setKind(FrameKind.FRAME_KIND_GRADIENT)
                .setOffset(from)
                .setTotal(vector.length)
                .setPayload(ByteString.copyFrom(bytes.array()))
                .setLast(last)
                .build();
    }

    /** A raw stream's answers: {@link #last} opens once rank 0's slice of a gradient is in. */
    private static final class SliceArrival implements StreamObserver<Frame> {
        final CountDownLatch last = new CountDownLatch(1);

        @Override
        public void onNext(Frame frame) {
            if (frame.getLast()) {
                last.countDown();
            }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }

    /** A raw stream's answers, read only once asked to: payload bytes, and how it ended. */
    private static final class SlowReader implements ClientResponseObserver<Frame, Frame> {
        final AtomicLong bytes = new AtomicLong();
        final CompletableFuture<Status.Code> end = new CompletableFuture<>();
        ClientCallStreamObserver<Frame> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<Frame> call) {
            this.call = call;
            call.disableAutoRequestWithInitial(0);
        }

        @Override
        public void onNext(Frame frame) {
            bytes.addAndGet(frame.getPayload().size());
        }

        @Override
        public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t).getCode());
        }

        @Override
        public void onCompleted() {
            end.complete(Status.Code.OK);
        }
    }

    /** Opens a raw exchange stream named {@code stream} for {@code session}: how it ends. */
    private static Loopback.StreamEnd open(ManagedChannel client, String session, String stream) {
        Loopback.StreamEnd end = new Loopback.StreamEnd();
        exchange(client, session, stream, end);
        return end;
    }
}
