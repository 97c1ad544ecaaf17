package dev.sharpness.trainer.exchange;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.WriteBufferWaterMark;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2CodecUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 DATA frames of up to 256 KiB on a paired exchange connection, instead of the protocol's
 * default 16 KiB: a 4 MB gradient then crosses in 16 frames each way instead of 250, with fewer
 * writes and less of Netty's per-frame bookkeeping. The size is measured, not derived (see
 * docs/benchmarks/exchange-swap-notes.md): at 4 MB, frames of 64 or 128 KiB saved no CPU and 256
 * KiB about 0.3 ms a swap; frames of 1 MiB made the MLP pair 1-2 ms a step slower in training,
 * likely because a receiver returns flow-control credit only for a frame it has whole, and gRPC's
 * window starts at 1 MiB.
 *
 * <p>gRPC-Java has no setting for the frame size, so {@link #allow} sends one more SETTINGS frame
 * through gRPC's own HTTP/2 handler on the connection. Its encoder applies the new limit to what
 * this side reads once the peer acknowledges it, as it does for gRPC's first SETTINGS; the peer
 * then writes frames up to the limit, as far as flow control and its write buffer ({@link
 * #WATER_MARK}) let it. Only a connection that carries an accepted exchange stream gets it: any
 * other connection (a stranger's, one that never authenticated) keeps the 16 KiB limit, so it
 * cannot make this side buffer a large frame.
 */
final class LargeFrames {
    /** The largest DATA frame the peer may send once {@link #allow allowed}. */
    static final int MAX_FRAME_BYTES = 256 << 10;

    /**
     * A connection's write buffer: Netty writes a stream's data in pieces of at most what the
     * buffer takes before it reports the channel unwritable (64 KiB by default), so that limit, not
     * the frame size, would cap the frames we send; room for two frames keeps one queued while the
     * kernel takes the other.
     */
    static final WriteBufferWaterMark WATER_MARK =
            new WriteBufferWaterMark(MAX_FRAME_BYTES, 2 * MAX_FRAME_BYTES);

    private static final Logger LOG = LoggerFactory.getLogger(LargeFrames.class);

    private LargeFrames() {}

    /**
     * Tells the peer on {@code connection} that it may send frames of up to {@link
     * #MAX_FRAME_BYTES}; a connection without gRPC's HTTP/2 handler (closed already) is left alone.
     */
    static void allow(Channel connection) {
        onHandler(
                connection,
                (context, handler) -> {
                    handler.encoder()
                            .writeSettings(
                                    context,
                                    new Http2Settings().maxFrameSize(MAX_FRAME_BYTES),
                                    context.newPromise());
                    context.flush();
                },
                () -> LOG.debug("No HTTP/2 handler on {}: frames stay small", connection));
    }

    /**
     * The largest frames on {@code connection} now: [what this side reads, what it may write]; 0s
     * for a connection without gRPC's HTTP/2 handler.
     */
    static int[] limits(Channel connection) {
        CompletableFuture<int[]> limits = new CompletableFuture<>();
        onHandler(
                connection,
                (context, handler) -> {
                    // The reader's limit is the last of our SETTINGS the peer acknowledged.
                    Integer reads = handler.decoder().localSettings().maxFrameSize();
                    limits.complete(
                            new int[] {
                                reads == null ? Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE : reads,
                                handler.encoder().configuration().frameSizePolicy().maxFrameSize()
                            });
                },
                () -> limits.complete(new int[2]));
        try {
            return limits.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the connection's event loop did not answer", e);
        }
    }

    /**
     * Runs {@code action} with gRPC's HTTP/2 handler of {@code connection} on its event loop, or
     * {@code absent} there if the connection has none (closed already).
     */
    private static void onHandler(
            Channel connection,
            BiConsumer<ChannelHandlerContext, Http2ConnectionHandler> action,
            Runnable absent) {
        connection
                .eventLoop()
                .execute(
                        () -> {
                            ChannelHandlerContext context =
                                    connection.isActive()
                                            ? connection
                                                    .pipeline()
                                                    .context(Http2ConnectionHandler.class)
                                            : null;
                            if (context == null) {
                                absent.run();
                            } else {
                                action.accept(context, (Http2ConnectionHandler) context.handler());
                            }
                        });
    }
}
