package dev.sharpness.trainer.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.CompositeByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.embedded.EmbeddedChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameAdapter;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

class ChainedReadsTest {
    private static final ByteBufAllocator ALLOCATOR = ByteBufAllocator.DEFAULT;

    @Test
    void aLargeReadIsChainedBehindTheWaitingPartOfAFrameNotCopied() {
        ByteBuf waiting = filled(100, 1);
        waiting.retain(); // gRPC still holds a slice of a frame cut out of it
        ByteBuf read = filled(ChainedReads.CHAINED_BYTES, 2);
        read.retain(); // ours, to look at it after the cumulation took the read's reference

        ByteBuf cumulated = ChainedReads.CUMULATOR.cumulate(ALLOCATOR, waiting, read);
        try {
            assertEquals(100 + ChainedReads.CHAINED_BYTES, cumulated.readableBytes());
            assertEquals(1, cumulated.getByte(cumulated.readerIndex() + 99));
            // The read's own memory is in the cumulation: a change to it shows through.
            read.setByte(7, 42); // the read was written from index 0
            assertEquals(42, cumulated.getByte(cumulated.readerIndex() + 100 + 7));
        } finally {
            cumulated.release();
            waiting.release();
            read.release();
        }
    }

    @Test
    void smallReadsAreCopiedSoATrickleCannotMakeAFrameOfThousandsOfBuffers() {
        ByteBuf cumulated = filled(1, 0);
        cumulated.retain(); // as above: a copy of each read must go to a fresh buffer
        ByteBuf first = cumulated;
        for (int i = 0; i < 2000; i++) {
            cumulated = ChainedReads.CUMULATOR.cumulate(ALLOCATOR, cumulated, filled(1, i));
        }
        try {
            assertEquals(2001, cumulated.readableBytes());
            assertEquals((byte) 1999, cumulated.getByte(cumulated.readerIndex() + 2000));
            int buffers = cumulated instanceof CompositeByteBuf c ? c.numComponents() : 1;
            assertTrue(buffers <= 2, "a trickle of 1-byte reads made " + buffers + " buffers");
        } finally {
            cumulated.release();
            first.release();
        }
    }

    @Test
    void gRpcsHttp2HandlerGetsTheCumulatorAtTheFirstReadAndTheHelperLeaves() throws Exception {
        EmbeddedChannel connection = new EmbeddedChannel();
        ChainedReads.install(connection);
        Http2ConnectionHandler http2 =
                new Http2ConnectionHandlerBuilder()
                        .server(true)
                        .frameListener(new Http2FrameAdapter())
                        .build();
        // Added behind the helper, as gRPC adds its handler once the connection is up.
        connection.pipeline().addLast(http2);
        assertSame(ByteToMessageDecoder.MERGE_CUMULATOR, cumulatorOf(http2));

        connection.writeInbound(Unpooled.wrappedBuffer(new byte[] {'P', 'R'}));

        assertSame(ChainedReads.CUMULATOR, cumulatorOf(http2));
        assertNull(connection.pipeline().get(ChainedReads.class));
        connection.finishAndReleaseAll();
    }

    private static ByteBuf filled(int bytes, int value) {
        ByteBuf buffer = ALLOCATOR.directBuffer(bytes);
        for (int i = 0; i < bytes; i++) {
            buffer.writeByte(value);
        }
        return buffer;
    }

    /** Netty has no getter for it; the field is the decoder's own. */
    private static Object cumulatorOf(ByteToMessageDecoder decoder) throws Exception {
        Field field = ByteToMessageDecoder.class.getDeclaredField("cumulator");
        field.setAccessible(true);
        return field.get(decoder);
    }
}
