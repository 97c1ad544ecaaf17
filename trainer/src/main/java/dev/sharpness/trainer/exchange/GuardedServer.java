package dev.sharpness.trainer.exchange;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker's gRPC server as the network may see it: bounded in connections, streams and threads
 * ({@link ConnectionLimits}), with its refusals logged by a {@link RefusalLog} and gRPC's own
 * messages by the {@link GrpcLog}. Its own event loops and call threads are stopped with it.
 */
final class GuardedServer {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService calls;
    private final RefusalLog refusals;
    private final AtomicInteger open;

    private GuardedServer(
            Server server,
            EventLoopGroup boss,
            EventLoopGroup workers,
            ExecutorService calls,
            RefusalLog refusals,
            AtomicInteger open) {
        this.server = server;
        this.boss = boss;
        this.workers = workers;
        this.calls = calls;
        this.refusals = refusals;
        this.open = open;
    }

    /**
     * Listens on {@code listen} (port 0 picks a free one; the wildcard address: every interface)
     * and serves {@code service}, with an event loop and a call thread for each of up to {@code
     * streams} exchange streams besides the threads for everyone else.
     */
    static GuardedServer start(
            InetSocketAddress listen,
            String role,
            ConnectionLimits limits,
            RefusalLog refusals,
            ServerServiceDefinition service,
            int streams)
            throws IOException {
        GrpcLog.install();
        EventLoopGroup boss =
                new NioEventLoopGroup(1, new DefaultThreadFactory(role + "-accept", true));
        EventLoopGroup workers =
                new NioEventLoopGroup(streams + 1, new DefaultThreadFactory(role + "-io", true));
        ExecutorService calls =
                Executors.newFixedThreadPool(limits.callThreads() + streams - 1, threads(role));
        AtomicInteger open = new AtomicInteger();
        try {
            Server server =
                    NettyServerBuilder.forAddress(listen)
                            .channelFactory(
                                    () ->
                                            new CappedServerChannel(
                                                    limits.maxConnections(), open, refusals))
                            .bossEventLoopGroup(boss)
                            .workerEventLoopGroup(workers)
                            .executor(calls)
                            // grpc starts this clock when the connection is accepted and stops it
                            // at the client's first HTTP/2 SETTINGS: it is what closes a socket
                            // that sends nothing at all.
                            .handshakeTimeout(
                                    limits.handshakeDeadline().toNanos(), TimeUnit.NANOSECONDS)
                            .maxConnectionIdle(limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS)
                            .maxConcurrentCallsPerConnection(limits.maxCallsPerConnection())
                            .maxRstFramesPerWindow(
                                    limits.maxResets(), (int) limits.resetWindow().toSeconds())
                            .addService(service)
                            .build()
                            .start();
            long every = RefusalLog.INTERVAL.toNanos();
            workers.scheduleAtFixedRate(
                    () -> {
                        refusals.flush();
                        GrpcLog.intervalEnded();
                    },
                    every,
                    every,
                    TimeUnit.NANOSECONDS);
            return new GuardedServer(server, boss, workers, calls, refusals, open);
        } catch (IOException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            calls.shutdownNow();
            throw e;
        }
    }

    /** What a server that could not bind says: "{@code what} on ADDRESS port N". */
    static UncheckedIOException cannotListen(
            String what, InetSocketAddress listen, IOException cause) {
        return new UncheckedIOException(
                what + " on " + where(listen) + " port " + listen.getPort(), cause);
    }

    /** The address a server listens on, as a log line says it. */
    static String where(InetSocketAddress listen) {
        return listen.getAddress().isAnyLocalAddress()
                ? "every interface"
                : listen.getAddress().getHostAddress();
    }

    int port() {
        return server.getPort();
    }

    /** Connections open now (accepted, not yet closed). */
    int openConnections() {
        return open.get();
    }

    /**
     * Stops: gracefully for {@code graceMillis}, so a last answer still goes out, then at once.
     *
     * @throws InterruptedException with everything asked to stop
     */
    void stop(long graceMillis) throws InterruptedException {
        try {
            server.shutdown();
            if (!server.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            }
        } finally {
            stopThreads();
        }
        // The listening socket is closed on the accept loop: once it has ended, the port is free
        // (a worker restarted in the same process, or a test, may bind it again at once).
        boss.terminationFuture().await(2, TimeUnit.SECONDS);
        workers.terminationFuture().await(2, TimeUnit.SECONDS);
        calls.awaitTermination(2, TimeUnit.SECONDS);
    }

    /** {@link #stop}, not waiting. */
    void stopNow() {
        server.shutdownNow();
        stopThreads();
    }

    /**
     * Flushes the logs and asks the event loops to stop, and the call threads once the event loops
     * have: a stream the server ended may still fail a write on its event loop, which hands the
     * stream's last callback to the call threads. Stopped first, they refused it, and Netty logged
     * a stack trace for every such stream (16 in a test, after a flood was cut off).
     */
    private void stopThreads() {
        refusals.flush();
        GrpcLog.serverStopped();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.terminationFuture().addListener(ended -> calls.shutdownNow());
    }

    static ThreadFactory threads(String role) {
        return task -> {
            Thread thread = new Thread(task, "exchange-" + role + "-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
