package dev.sharpness.operator.testing;

import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.exchange.v1.ProgressRequest;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stands in for rank 0's gRPC server in operator tests: answers {@code GetProgress} with whatever
 * the test sets, and only to callers with the right token, as the trainer does.
 */
public final class StandInTrainer implements AutoCloseable {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> CALLER_TOKEN = Context.key("token");

    private final AtomicReference<Progress> progress =
            new AtomicReference<>(Progress.getDefaultInstance());
    private final AtomicReference<String> token = new AtomicReference<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final Server server;

    public StandInTrainer() throws IOException {
        ServerInterceptor readToken =
                new ServerInterceptor() {
                    @Override
                    public <Q, A> ServerCall.Listener<Q> interceptCall(
                            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                        String header = headers.get(AUTHORIZATION);
                        return Contexts.interceptCall(
                                Context.current().withValue(CALLER_TOKEN, header),
                                call,
                                headers,
                                next);
                    }
                };
        server =
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                        .addService(ServerInterceptors.intercept(new Service(), readToken))
                        .build()
                        .start();
    }

    public int port() {
        return server.getPort();
    }

    /** The token of the job's Secret; calls without it are refused. */
    public void expectToken(String expected) {
        token.set(expected);
    }

    public void report(Progress next) {
        progress.set(next);
    }

    public int refused() {
        return refused.get();
    }

    public int answered() {
        return answered.get();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }

    private final class Service extends PairExchangeGrpc.PairExchangeImplBase {
        @Override
        public void getProgress(ProgressRequest request, StreamObserver<Progress> response) {
            String expected = token.get();
            if (expected == null || !("Bearer " + expected).equals(CALLER_TOKEN.get())) {
                refused.incrementAndGet();
                response.onError(Status.UNAUTHENTICATED.asRuntimeException());
                return;
            }
            answered.incrementAndGet();
            response.onNext(progress.get());
            response.onCompleted();
        }
    }
}
