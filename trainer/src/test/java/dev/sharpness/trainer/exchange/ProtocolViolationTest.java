package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.FrameKind;
import dev.sharpness.api.exchange.v1.HandshakeResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rank 1 that breaks the framing rules, played by a raw client, cannot corrupt rank 0's vector.
 */
@Timeout(30)
class ProtocolViolationTest {
    private static final int ELEMENTS = 8;
    private static final Identity IDENTITY = Loopback.identity(ELEMENTS);

    @Test
    void aGapBetweenChunksIsRefused() throws Exception {
        assertRank0Refuses(
                "rank 1 sent 12 payload bytes at offset 0 of the gradient for step 0, where the"
                        + " chunk ending at 4 of its slice [0, 8) was due (8 elements, FP32)",
                gradient(0, 4, 4, false),
                gradient(0, 0, 3, true));
    }

    @Test
    void aGradientSentFromItsStartUpIsRefused() throws Exception {
        // Protocol version 1's order: the slice's first chunk must be the one that ends it.
        assertRank0Refuses(
                "rank 1 sent 16 payload bytes at offset 0 of the gradient for step 0, where the"
                        + " chunk ending at 8 of its slice [0, 8) was due (8 elements, FP32)",
                gradient(0, 0, 4, false),
                gradient(0, 4, 4, true));
    }

    @Test
    void aChunkOverlappingWhatArrivedIsRefused() throws Exception {
        assertRank0Refuses(
                "rank 1 sent 20 payload bytes at offset 0 of the gradient for step 0, where the"
                        + " chunk ending at 4 of its slice [0, 8) was due (8 elements, FP32)",
                gradient(0, 4, 4, false),
                gradient(0, 0, 5, true));
    }

    @Test
    void anEmptyChunkOfASliceWithElementsIsRefused() throws Exception {
        // The sender never cuts one; a peer sending them could keep a swap going without end.
        assertRank0Refuses(
                "rank 1 sent 0 payload bytes at offset 8 of the gradient for step 0, where the"
                        + " chunk ending at 8 of its slice [0, 8) was due (8 elements, FP32)",
                gradient(0, ELEMENTS, 0, false));
    }

    @Test
    void aVectorForAnotherStepIsRefused() throws Exception {
        assertRank0Refuses(
                "expected the gradient for step 0 from rank 1, got the gradient for step 1",
                gradient(1, 0, ELEMENTS, true));
    }

    @Test
    void aVectorOfAnotherLengthIsRefused() throws Exception {
        assertRank0Refuses(
                "rank 1 sent a gradient of 9 elements for step 0; the layout has 8",
                Frame.newBuilder()
                        .setStep(0)
                        .setKind(FrameKind.FRAME_KIND_GRADIENT)
                        .setTotal(9)
                        .setPayload(payload(9))
                        .setLast(true)
                        .build());
    }

    @Test
    void aMissingLastMarkIsRefused() throws Exception {
        assertRank0Refuses(
                "rank 1 marked the chunk at 0 of the gradient for step 0 as not last",
                gradient(0, 0, ELEMENTS, false));
    }

    @Test
    void aGradientSentBeforeRank0BeganTheSwapBeforeItIsRefused() throws Exception {
        // Rank 1 may be one gradient ahead, never two: the second would overwrite the array that
        // rank 0's caller still holds.
        try (Loopback.Rank0 rank0 = new Loopback.Rank0(IDENTITY)) {
            ManagedChannel client = Loopback.channel(rank0.port());
            try {
                HandshakeResponse accepted = Loopback.handshake(client, IDENTITY);
                StreamObserver<Frame> stream =
                        Loopback.streamingClient(client, accepted.getSession())
                                .exchange(new Loopback.StreamEnd());
                stream.onNext(gradient(0, 0, ELEMENTS, true));
                stream.onNext(gradient(1, 0, ELEMENTS, true));
                PairExchange exchange = rank0.exchange();
                Thread.sleep(500); // both arrive before rank 0 begins swapping

                // The stream ended with the refusal: rank 0's next swap reports it.
                assertThatThrownBy(() -> exchange.swap(0, new byte[4 * ELEMENTS]))
                        .isInstanceOf(ExchangeProtocolException.class)
                        .hasMessage(
                                "rank 1 sent its gradient number 2 before this rank began"
                                        + " swapping number 1");
                stream.onCompleted();
            } finally {
                Loopback.close(client);
            }
        }
    }

    private static void assertRank0Refuses(String message, Frame... frames) throws Exception {
        try (Loopback.Rank0 rank0 = new Loopback.Rank0(IDENTITY)) {
            ManagedChannel client = Loopback.channel(rank0.port());
            try {
                HandshakeResponse accepted = Loopback.handshake(client, IDENTITY);
                StreamObserver<Frame> stream =
                        Loopback.streamingClient(client, accepted.getSession())
                                .exchange(new Loopback.StreamEnd());
                for (Frame frame : frames) {
                    stream.onNext(frame);
                }
                PairExchange exchange = rank0.exchange();

                assertThatThrownBy(() -> exchange.swap(0, new byte[4 * ELEMENTS]))
                        .isInstanceOf(ExchangeProtocolException.class)
                        .hasMessage(message);
                assertThat(exchange.stats().swaps()).isZero();
                stream.onCompleted();
            } finally {
                Loopback.close(client);
            }
        }
    }

    private static Frame gradient(long step, int offset, int count, boolean last) {
        return Frame.newBuilder()
                .setStep(step)
                .setKind(FrameKind.FRAME_KIND_GRADIENT)
                .setOffset(offset)
                .setTotal(ELEMENTS)
                .setPayload(payload(count))
                .setLast(last)
                .build();
    }

    private static com.google.protobuf.ByteString payload(int count) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            bytes.putFloat(i);
        }
        return com.google.protobuf.ByteString.copyFrom(bytes.array());
    }
}
