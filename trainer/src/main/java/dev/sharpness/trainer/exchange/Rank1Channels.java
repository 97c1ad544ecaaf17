package dev.sharpness.trainer.exchange;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Rank 1's connections to rank 0, one per exchange stream, each with its own event loop and its own
 * callback thread, so that the streams of one swap run on as many cores. Channel 0 also carries the
 * handshake and the resume state.
 */
final class Rank1Channels implements AutoCloseable {
    private final String host;
    private final int port;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<EventLoopGroup> loops = new ArrayList<>();
    private final List<ExecutorService> callbacks = new ArrayList<>();

    Rank1Channels(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** Channel {@code index}, opened the first time it is asked for (in order from 0). */
    synchronized ManagedChannel get(int index) {
        while (channels.size() <= index) {
            int number = channels.size();
            EventLoopGroup loop =
                    new NioEventLoopGroup(
                            1, new DefaultThreadFactory("exchange-rank1-io-" + number, true));
            ExecutorService callback =
                    Executors.newSingleThreadExecutor(GuardedServer.threads("rank1-" + number));
            loops.add(loop);
            callbacks.add(callback);
            channels.add(
                    NettyChannelBuilder.forAddress(host, port)
                            .usePlaintext()
                            .eventLoopGroup(loop)
                            .channelFactory(Rank1Channels::connection)
                            // No transparent retries: a retriable call keeps each sent message to
                            // replay it, and a gradient frame is copied from the caller's array
                            // when it is written. Rank 1 retries the handshake itself.
                            .disableRetry()
                            .executor(callback)
                            .build());
        }
        return channels.get(index);
    }

    private static NioSocketChannel connection() {
        NioSocketChannel connection = new NioSocketChannel();
        ChainedReads.install(connection);
        return connection;
    }

    /** Cuts every connection and stops the threads; waits a little for them. */
    @Override
    public synchronized void close() {
        boolean interrupted = Thread.interrupted();
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        try {
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        for (ExecutorService callback : callbacks) {
            callback.shutdownNow();
        }
        for (EventLoopGroup loop : loops) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        try {
            for (ExecutorService callback : callbacks) {
                callback.awaitTermination(2, TimeUnit.SECONDS);
            }
            for (EventLoopGroup loop : loops) {
                loop.terminationFuture().await(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
