package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.exchange.v1.ProgressRequest;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchange service of a worker that has no peer (SGD, SAM, K-SAM, LookSAM): it answers the
 * operator's {@code GetProgress}, with the same token check as a pair's rank 0, and nothing else
 * (the pair's calls answer UNIMPLEMENTED).
 */
public final class ProgressServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressServer.class);

    private final GuardedServer server;

    private ProgressServer(GuardedServer server) {
        this.server = server;
    }

    /**
     * Listens on {@code listen} (port 0 picks a free one; the wildcard address: every interface)
     * until {@link #close}.
     *
     * @param token the job's token, printable ASCII without spaces
     */
    public static ProgressServer start(
            InetSocketAddress listen, byte[] token, Supplier<Progress> progress) {
        PairExchangeGrpc.PairExchangeImplBase service =
                new PairExchangeGrpc.PairExchangeImplBase() {
                    @Override
                    public void getProgress(
                            ProgressRequest request, StreamObserver<Progress> response) {
                        PairExchangeService.answerProgress(progress, response);
                    }
                };
        RefusalLog refusals = new RefusalLog(LOG);
        try {
            GuardedServer server =
                    GuardedServer.start(
                            listen,
                            "progress",
                            ConnectionLimits.DEFAULT,
                            refusals,
                            ServerInterceptors.intercept(
                                    service, new BearerToken(token).check(refusals)),
                            1); // no exchange streams: threads as for one
            LOG.info("Serving progress on {} port {}", GuardedServer.where(listen), server.port());
            return new ProgressServer(server);
        } catch (IOException e) {
            throw GuardedServer.cannotListen("cannot serve progress", listen, e);
        }
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        try {
            server.stop(1000);
        } catch (InterruptedException e) {
            server.stopNow();
            Thread.currentThread().interrupt();
        }
    }
}
