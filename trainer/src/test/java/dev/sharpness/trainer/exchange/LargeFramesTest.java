package dev.sharpness.trainer.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Paired exchange connections carry HTTP/2 frames of up to 256 KiB instead of 16 KiB. */
class LargeFramesTest {
    @Test
    void everyPairedStreamReadsAndWritesLargeFramesAndStaysBitExact() throws Exception {
        int elements = 3_000_003;
        try (Loopback.Pair pair =
                Loopback.Pair.open(
                        Loopback.identity(elements), WirePrecision.FP32, Loopback.TIMEOUT, 2, 2)) {
            // Each side's SETTINGS is acknowledged before the peer's data of the next swap:
            // after two swaps both sides have applied both.
            pair.swapsBitExactly(elements, 3, 30, 40);
            for (PairExchange rank : new PairExchange[] {pair.rank0, pair.rank1}) {
                assertThat(rank.frameLimits())
                        .as("rank %d's streams: [read, write] frame limits", rank.rank())
                        .hasSize(2)
                        .allSatisfy(
                                limits ->
                                        assertThat(limits)
                                                .containsExactly(
                                                        LargeFrames.MAX_FRAME_BYTES,
                                                        LargeFrames.MAX_FRAME_BYTES));
            }
        }
    }

    @Test
    void aConnectionWithoutAnAcceptedExchangeStreamKeepsTheDefaultFrameSize() throws Exception {
        Identity identity = Loopback.identity(1000);
        try (Loopback.Rank0 rank0 = new Loopback.Rank0(identity)) {
            AtomicReference<Channel> socket = new AtomicReference<>();
            NioEventLoopGroup loop = new NioEventLoopGroup(1);
            ManagedChannel stranger =
                    NettyChannelBuilder.forAddress("127.0.0.1", rank0.port())
                            .usePlaintext()
                            .eventLoopGroup(loop)
                            .channelFactory(
                                    () -> {
                                        NioSocketChannel connection = new NioSocketChannel();
                                        socket.set(connection);
                                        return connection;
                                    })
                            .build();
            try {
                // It holds the token but no session: its stream is refused, and rank 0 must not
                // let it send large frames, which rank 0 would have to buffer whole.
                Loopback.StreamEnd refused = new Loopback.StreamEnd();
                Loopback.streamingClient(stranger, "made-up-session").exchange(refused);
                assertThat(refused.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                try (PairExchange rank1 = rank0.connect(identity)) {
                    assertThat(LargeFrames.limits(socket.get()))
                            .as("the stranger's [read, write] frame limits")
                            .containsExactly(
                                    Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE,
                                    Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE);
                }
            } finally {
                Loopback.close(stranger);
                loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }
}
