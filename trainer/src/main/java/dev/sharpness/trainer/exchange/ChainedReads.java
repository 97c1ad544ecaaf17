package dev.sharpness.trainer.exchange;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;

/**
 * Keeps what a connection reads in the buffers Netty read it into, instead of copying it once more
 * before gRPC sees it.
 *
 * <p>gRPC's HTTP/2 handler cuts frames out of what it has read. A read rarely ends at a frame's
 * end, so the part of a frame it holds waits for the next read, and by default ({@link
 * ByteToMessageDecoder#MERGE_CUMULATOR}) the next read is then copied behind it; since gRPC still
 * holds slices of the earlier frames, the copy goes into a fresh buffer. So nearly every byte of a
 * gradient was copied on the event loop between the socket and gRPC. {@link #CUMULATOR} chains a
 * read of at least {@link #CHAINED_BYTES} behind the waiting part instead ({@link
 * ByteToMessageDecoder#COMPOSITE_CUMULATOR}); smaller reads are still copied, so a peer that sends
 * a frame a few bytes at a time cannot make a frame of thousands of tiny buffers.
 */
final class ChainedReads extends ChannelInboundHandlerAdapter {
    /** The smallest read chained rather than copied. */
    static final int CHAINED_BYTES = 4096;

    static final ByteToMessageDecoder.Cumulator CUMULATOR = ChainedReads::cumulate;

    private ChainedReads() {}

    /**
     * Sets {@link #CUMULATOR} on gRPC's HTTP/2 handler of {@code connection} at its first read, by
     * which time gRPC has installed that handler; call before the connection is registered.
     */
    static void install(Channel connection) {
        connection.pipeline().addFirst(new ChainedReads());
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        Http2ConnectionHandler http2 = context.pipeline().get(Http2ConnectionHandler.class);
        if (http2 != null) {
            http2.setCumulator(CUMULATOR);
            context.pipeline().remove(this);
        }
        context.fireChannelRead(message);
    }

    private static ByteBuf cumulate(ByteBufAllocator allocator, ByteBuf waiting, ByteBuf read) {
        return read.readableBytes() >= CHAINED_BYTES
                ? ByteToMessageDecoder.COMPOSITE_CUMULATOR.cumulate(allocator, waiting, read)
                : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(allocator, waiting, read);
    }
}
