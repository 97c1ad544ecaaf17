package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.HandshakeResponse;
import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.Progress;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A pair on 127.0.0.1 inside the test JVM, and raw clients to poke rank 0 with. */
final class Loopback {
    static final String TOKEN = "job-token-0123456789abcdef";
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private Loopback() {}

    static Layout flat(int elements) {
        return new Layout(List.of("weights"), List.of(new long[] {elements}));
    }

    static Identity identity(String specHash, Layout layout) {
        return new Identity("uid-1234", 2, specHash, layout);
    }

    static Identity identity(int elements) {
        return identity("spec-abc", flat(elements));
    }

    /** Rank 0 serving on a free port in the background, as its own pod would. */
    static final class Rank0 implements AutoCloseable {
        private final ExecutorService thread = Executors.newSingleThreadExecutor();
        private final CompletableFuture<Integer> listening = new CompletableFuture<>();
        private final Future<PairExchange> served;

        Rank0(
                int port,
                Identity identity,
                WirePrecision precision,
                Duration timeout,
                Supplier<byte[]> state,
                Supplier<Progress> progress) {
            this(port, identity, new ExchangeSettings(precision, timeout, 1), state, progress);
        }

        Rank0(
                int port,
                Identity identity,
                ExchangeSettings settings,
                Supplier<byte[]> state,
                Supplier<Progress> progress) {
            served =
                    thread.submit(
                            () ->
                                    Rank0Server.serve(
                                            new InetSocketAddress(
                                                    InetAddress.getLoopbackAddress(), port),
                                            TOKEN.getBytes(StandardCharsets.US_ASCII),
                                            identity,
                                            state,
                                            progress,
                                            settings,
                                            ConnectionLimits.DEFAULT,
                                            new RefusalLog(),
                                            listening::complete));
            thread.shutdown(); // the thread ends when serve returns
        }

        Rank0(Identity identity) {
            this(
                    0,
                    identity,
                    WirePrecision.FP32,
                    TIMEOUT,
                    () -> null,
                    Progress::getDefaultInstance);
        }

        int port() throws Exception {
            return listening.get(5, TimeUnit.SECONDS);
        }

        /** What {@code serve} returned; its exception is the cause of the ExecutionException. */
        PairExchange exchange() throws Exception {
            return served.get(10, TimeUnit.SECONDS);
        }

        PairExchange connect(Identity identity) throws Exception {
            return Loopback.connect(port(), identity, WirePrecision.FP32, TIMEOUT);
        }

        @Override
        public void close() {
            thread.shutdownNow(); // interrupts a serve still waiting for rank 1
            try {
                served.get(10, TimeUnit.SECONDS).close();
            } catch (Exception e) {
                // serve failed or was interrupted: there is nothing to close
            }
        }
    }

    /** Both ranks, paired; swaps from both sides at once. */
    static final class Pair implements AutoCloseable {
        final PairExchange rank0;
        final PairExchange rank1;
        private final ExecutorService rank0Thread = Executors.newSingleThreadExecutor();

        Pair(PairExchange rank0, PairExchange rank1) {
            this.rank0 = rank0;
            this.rank1 = rank1;
        }

        static Pair open(Identity identity, WirePrecision precision) throws Exception {
            return open(identity, precision, TIMEOUT);
        }

        static Pair open(Identity identity, WirePrecision precision, Duration timeout)
                throws Exception {
            return open(identity, precision, timeout, 1, 1);
        }

        /**
         * A pair whose rank 0 offers {@code rank0Streams} streams and rank 1 {@code rank1Streams}.
         */
        static Pair open(
                Identity identity,
                WirePrecision precision,
                Duration timeout,
                int rank0Streams,
                int rank1Streams)
                throws Exception {
            Rank0 server =
                    new Rank0(
                            0,
                            identity,
                            new ExchangeSettings(precision, timeout, rank0Streams),
                            () -> null,
                            Progress::getDefaultInstance);
            try {
                PairExchange rank1 =
                        PairExchange.connect(
                                "127.0.0.1",
                                server.port(),
                                TOKEN.getBytes(StandardCharsets.US_ASCII),
                                identity,
                                precision,
                                timeout,
                                rank1Streams);
                return new Pair(server.exchange(), rank1);
            } catch (Exception e) {
                server.close();
                throw e;
            }
        }

        /**
         * Rank 0 swaps {@code fromRank0} while rank 1 swaps {@code fromRank1}, both fp32: what
         * {rank 0, rank 1} received.
         */
        float[][] swap(long step, float[] fromRank0, float[] fromRank1) throws Exception {
            byte[][] received = swap(step, Vectors.bytes(fromRank0), Vectors.bytes(fromRank1));
            return new float[][] {
                Vectors.floats(ByteBuffer.wrap(received[0])),
                Vectors.floats(ByteBuffer.wrap(received[1]))
            };
        }

        /**
         * Swaps {@code steps} pairs of random fp32 vectors of {@code elements} (every bit pattern,
         * NaNs included; rank 0's from seed {@code seed0 + step}, rank 1's from {@code seed1 +
         * step}) and asserts that each rank received the other's, bit for bit.
         */
        void swapsBitExactly(int elements, int steps, long seed0, long seed1) throws Exception {
            for (long step = 0; step < steps; step++) {
                float[] fromRank0 = Vectors.randomBits(elements, seed0 + step);
                float[] fromRank1 = Vectors.randomBits(elements, seed1 + step);

                float[][] received = swap(step, fromRank0, fromRank1);

                Vectors.assertSameBits(received[0], fromRank1);
                Vectors.assertSameBits(received[1], fromRank0);
            }
        }

        /**
         * Rank 0 swaps {@code fromRank0} while rank 1 swaps {@code fromRank1}, vectors in the
         * wire's format: what {rank 0, rank 1} received, as copies (the exchange reuses its
         * buffers).
         */
        byte[][] swap(long step, byte[] fromRank0, byte[] fromRank1) throws Exception {
            Future<byte[]> atRank0 =
                    rank0Thread.submit(() -> Vectors.copy(rank0.swap(step, fromRank0)));
            byte[] atRank1 = Vectors.copy(rank1.swap(step, fromRank1));
            return new byte[][] {atRank0.get(10, TimeUnit.SECONDS), atRank1};
        }

        Future<?> onRank0(Runnable action) {
            return rank0Thread.submit(action);
        }

        <T> Future<T> callOnRank0(Callable<T> action) {
            return rank0Thread.submit(action);
        }

        /**
         * Closes rank 0 first: rank 1, closing right after a swap, waits for rank 0 to end the
         * stream, so one thread closing them in the other order would wait out that linger (5 s).
         */
        @Override
        public void close() {
            rank0.close();
            rank1.close();
            rank0Thread.shutdownNow();
        }
    }

    static PairExchange connect(
            int port, Identity identity, WirePrecision precision, Duration timeout) {
        return PairExchange.connect(
                "127.0.0.1",
                port,
                TOKEN.getBytes(StandardCharsets.US_ASCII),
                identity,
                precision,
                timeout,
                1);
    }

    /** A client of rank 0 that presents {@code token} (none when null). */
    static PairExchangeGrpc.PairExchangeBlockingStub client(ManagedChannel channel, String token) {
        PairExchangeGrpc.PairExchangeBlockingStub stub =
                PairExchangeGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        if (token == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * A raw client's handshake as rank 1 of {@code identity}, with the token, fp32 and one stream.
     */
    static HandshakeResponse handshake(ManagedChannel channel, Identity identity) {
        return client(channel, TOKEN).handshake(Handshakes.request(identity, WirePrecision.FP32));
    }

    /** An asynchronous client presenting the token and a session from a raw handshake. */
    static PairExchangeGrpc.PairExchangeStub streamingClient(
            ManagedChannel channel, String session) {
        Metadata headers = new Metadata();
        headers.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + TOKEN);
        headers.put(PairExchangeService.SESSION_HEADER, session);
        return PairExchangeGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** Records how a raw exchange stream ended. */
    static final class StreamEnd implements StreamObserver<Frame> {
        final CompletableFuture<Status> status = new CompletableFuture<>();

        @Override
        public void onNext(Frame frame) {}

        @Override
        public void onError(Throwable t) {
            status.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            status.complete(Status.OK);
        }

        Status.Code code() throws Exception {
            return status.get(5, TimeUnit.SECONDS).getCode();
        }
    }

    static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
