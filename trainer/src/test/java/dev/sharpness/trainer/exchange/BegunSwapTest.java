package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.HandshakeResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A swap begun while the backward pass still computes the gradient ({@link PairExchange#begin}):
 * the parts said to be final go at once, nothing else goes before it is final, and the peer gets
 * the vector as it finally is, bit for bit, whichever way it swaps itself.
 */
@Timeout(60)
class BegunSwapTest {
    /** Three chunks and a bit per stream on three streams, so that the cut falls inside one. */
    private static final int ELEMENTS = 3 * (3 * ExchangeStream.CHUNK_BYTES / 4) + 12_345;

    /** Where the backward pass stands when its first part is final: not at a chunk's edge. */
    private static final int CUT = ELEMENTS / 3 + 77_777;

    @Test
    void thePeerGetsWhatWasFinalNotWhatWasThereWhenTheSwapBegan() throws Exception {
        try (Loopback.Pair pair = pair(3)) {
            for (long step = 0; step < 3; step++) {
                float[] final0 = Vectors.randomBits(ELEMENTS, 10 + step);
                float[] final1 = Vectors.randomBits(ELEMENTS, 20 + step);
                long swap = step;
                // Rank 0 swaps as a backward pass would; rank 1 plainly, as a rank whose gradient
                // was whole: the two are the same on the wire.
                Future<byte[]> atRank0 =
                        pair.callOnRank0(() -> Vectors.copy(begunSwap(pair.rank0, swap, final0)));
                byte[] atRank1 = Vectors.copy(pair.rank1.swap(swap, Vectors.bytes(final1)));

                Vectors.assertSameBits(Vectors.floats(ByteBuffer.wrap(atRank1)), final0);
                Vectors.assertSameBits(
                        Vectors.floats(ByteBuffer.wrap(atRank0.get(30, TimeUnit.SECONDS))), final1);
            }
            assertThat(pair.rank0.stats().swaps()).isEqualTo(3);
            // What went before the vector was whole is counted; a plain swap sends none so.
            assertThat(pair.rank0.stats().bytesSentEarly())
                    .isPositive()
                    .isLessThan(pair.rank0.stats().bytesSent());
            assertThat(pair.rank1.stats().bytesSentEarly()).isZero();
        }
    }

    @Test
    void whatIsFinalGoesAtOnceAndNothingBelowIt() throws Exception {
        // Rank 1 is a raw client here, so that what rank 0 sends can be seen frame by frame.
        Identity identity = Loopback.identity(ELEMENTS);
        try (Loopback.Rank0 rank0 = new Loopback.Rank0(identity)) {
            ManagedChannel client = Loopback.channel(rank0.port());
            try {
                HandshakeResponse accepted = Loopback.handshake(client, identity);
                Offsets arrived = new Offsets();
                StreamObserver<Frame> stream =
                        Loopback.streamingClient(client, accepted.getSession()).exchange(arrived);
                List<Long> offsets = arrived.offsets;
                PairExchange.PendingSwap swap = rank0.exchange().begin(0, new byte[4 * ELEMENTS]);
                Thread.sleep(200);
                assertThat(offsets).isEmpty();

                swap.finalFrom(CUT);
                // Whole chunks from the end, and the part of the next one that is final.
                int perChunk = ExchangeStream.CHUNK_BYTES / 4;
                List<Long> due = new ArrayList<>();
                for (long end = ELEMENTS; end > CUT; end = due.get(due.size() - 1)) {
                    due.add(Math.max(CUT, end - perChunk));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (offsets.size() < due.size() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                Thread.sleep(200); // and nothing more comes
                assertThat(offsets).isEqualTo(due);
                stream.onCompleted();
            } finally {
                Loopback.close(client);
            }
        }
    }

    @Test
    void bothRanksMayBeginTheirSwaps() throws Exception {
        try (Loopback.Pair pair = pair(2)) {
            float[] final0 = Vectors.randomBits(ELEMENTS, 1);
            float[] final1 = Vectors.randomBits(ELEMENTS, 2);
            Future<byte[]> atRank0 =
                    pair.callOnRank0(() -> Vectors.copy(begunSwap(pair.rank0, 0, final0)));
            byte[] atRank1 = Vectors.copy(begunSwap(pair.rank1, 0, final1));

            Vectors.assertSameBits(Vectors.floats(ByteBuffer.wrap(atRank1)), final0);
            Vectors.assertSameBits(
                    Vectors.floats(ByteBuffer.wrap(atRank0.get(30, TimeUnit.SECONDS))), final1);
        }
    }

    @Test
    void theIntentTravelsWithTheLastPartToBecomeFinal() throws Exception {
        try (Loopback.Pair pair = pair(3)) {
            byte[] mine = new byte[4 * ELEMENTS];
            Future<Swapped> atRank0 =
                    pair.callOnRank0(
                            () -> {
                                PairExchange.PendingSwap swap = pair.rank0.begin(0, mine);
                                swap.finalFrom(CUT);
                                return swap.finish(new StepIntent(true, false));
                            });
            Swapped atRank1 =
                    pair.rank1.swap(0, new byte[4 * ELEMENTS], new StepIntent(false, true));

            assertThat(atRank1.intent()).isEqualTo(new StepIntent(true, false));
            assertThat(atRank0.get(30, TimeUnit.SECONDS).intent())
                    .isEqualTo(new StepIntent(false, true));
        }
    }

    @Test
    void theMarkOnlyMovesTowardsTheStartAndNothingElseRunsMeanwhile() throws Exception {
        try (Loopback.Pair pair = pair(1)) {
            PairExchange.PendingSwap swap = pair.rank1.begin(0, new byte[4 * ELEMENTS]);
            swap.finalFrom(CUT);

            assertThatThrownBy(() -> swap.finalFrom(CUT + 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "elements from %d on were final already; %d would take some back"
                                    .formatted(CUT, CUT + 1));
            assertThatThrownBy(() -> swap.finalFrom(-1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside a vector of " + ELEMENTS);
            assertThatThrownBy(() -> pair.rank1.swap(1, new byte[4 * ELEMENTS]))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the swap for step 0 was begun and not finished");
            assertThatThrownBy(() -> pair.rank1.verifyReplicas(0, new byte[32]))
                    .isInstanceOf(IllegalStateException.class);

            Future<byte[]> atRank0 =
                    pair.callOnRank0(
                            () -> Vectors.copy(pair.rank0.swap(0, new byte[4 * ELEMENTS])));
            swap.finish(StepIntent.NONE);
            atRank0.get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> swap.finish(StepIntent.NONE))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the swap for step 0 is over");
        }
    }

    @Test
    void closingWithASwapBegunEndsItAndThePeerLearnsItLostItsPeer() throws Exception {
        try (Loopback.Pair pair = pair(3)) {
            pair.rank1.begin(0, new byte[4 * ELEMENTS]).finalFrom(CUT);
            Future<byte[]> atRank0 =
                    pair.callOnRank0(
                            () -> Vectors.copy(pair.rank0.swap(0, new byte[4 * ELEMENTS])));
            Thread.sleep(300); // the final part is on its way, its sender waits for the rest

            long start = System.nanoTime();
            pair.rank1.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Loopback.TIMEOUT);
            assertThatThrownBy(() -> atRank0.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PeerLostException.class);
        }
    }

    /**
     * Swaps {@code finalVector} as a backward pass would make it: the swap begins while the vector
     * holds garbage; the part from {@link #CUT} up is written and said to be final; a while later
     * (its chunks have gone by then) the rest is written and the swap finished. Whatever went
     * before it was final would reach the peer as garbage.
     */
    private static ByteBuffer begunSwap(PairExchange exchange, long step, float[] finalVector)
            throws InterruptedException {
        byte[] finalBytes = Vectors.bytes(finalVector);
        byte[] mine = new byte[finalBytes.length];
        Arrays.fill(mine, (byte) 0x5a);
        PairExchange.PendingSwap swap = exchange.begin(step, mine);
        System.arraycopy(finalBytes, 4 * CUT, mine, 4 * CUT, finalBytes.length - 4 * CUT);
        swap.finalFrom(CUT);
        Thread.sleep(200);
        System.arraycopy(finalBytes, 0, mine, 0, 4 * CUT);
        return swap.finish(StepIntent.NONE).gradient();
    }

    /** The offsets of the frames a raw stream received, in order. */
    private static final class Offsets implements StreamObserver<Frame> {
        final List<Long> offsets = new CopyOnWriteArrayList<>();

        @Override
        public void onNext(Frame frame) {
            offsets.add(frame.getOffset());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }

    private static Loopback.Pair pair(int streams) throws Exception {
        return Loopback.Pair.open(
                Loopback.identity(ELEMENTS),
                WirePrecision.FP32,
                Loopback.TIMEOUT,
                streams,
                streams);
    }
}
