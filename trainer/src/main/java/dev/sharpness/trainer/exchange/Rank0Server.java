package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.Progress;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rank 0's way into a pair: it listens, waits for rank 1's handshake and exchange streams, and
 * hands back the {@link PairExchange} over them. The server stays up for the pair's lifetime (it
 * also answers the operator's progress queries) and stops when the exchange closes.
 */
final class Rank0Server {
    private static final Logger LOG = LoggerFactory.getLogger(Rank0Server.class);

    /** How long a stopping server waits, at least, for a last answer (a refused handshake). */
    private static final Duration LAST_ANSWER = Duration.ofMillis(500);

    private Rank0Server() {}

    /**
     * See {@link PairExchange#serve}; the port is bounded by {@code limits}, refusals go to {@code
     * refusals}, and {@code listening} learns the port as soon as the server is up.
     */
    static PairExchange serve(
            InetSocketAddress listen,
            byte[] token,
            Identity identity,
            Supplier<byte[]> resumeState,
            Supplier<Progress> progress,
            ExchangeSettings settings,
            ConnectionLimits limits,
            RefusalLog refusals,
            IntConsumer listening) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(resumeState, "resumeState");
        Objects.requireNonNull(progress, "progress");
        BearerToken bearer = new BearerToken(token);
        PairExchangeService service =
                new PairExchangeService(
                        identity,
                        settings,
                        resumeState,
                        progress,
                        PairExchange.ON_READY_THRESHOLD,
                        refusals);
        GuardedServer server = start(listen, bearer, service, settings, limits, refusals);
        LOG.info(
                "Rank 0 listening on {} port {}; waiting {} for rank 1",
                GuardedServer.where(listen),
                server.port(),
                PairExchange.seconds(settings.timeout()));
        listening.accept(server.port());
        Streams streams = awaitRank1(service, server, settings);
        return new PairExchange(
                0,
                server.port(),
                identity,
                settings,
                streams,
                drain -> stop(server, drain),
                new byte[0]);
    }

    private static GuardedServer start(
            InetSocketAddress listen,
            BearerToken bearer,
            PairExchangeService service,
            ExchangeSettings settings,
            ConnectionLimits limits,
            RefusalLog refusals) {
        try {
            return GuardedServer.start(
                    listen,
                    "rank0",
                    limits,
                    refusals,
                    ServerInterceptors.intercept(
                            service.definition(),
                            PairExchangeService.callerContext(),
                            bearer.check(refusals)), // the last one runs first
                    settings.streams());
        } catch (IOException e) {
            throw GuardedServer.cannotListen("rank 0 cannot listen", listen, e);
        }
    }

    /** Rank 1's streams, once all are open; stops the server if they do not come. */
    private static Streams awaitRank1(
            PairExchangeService service, GuardedServer server, ExchangeSettings settings) {
        try {
            return service.linked().get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            int listened = server.port();
            stop(server);
            throw new PeerLostException(
                    "rank 1 did not pair with rank 0 on port "
                            + listened
                            + " within "
                            + PairExchange.seconds(settings.timeout()));
        } catch (ExecutionException e) {
            stop(server);
            if (e.getCause() instanceof PeerLostException lost) {
                throw new PeerLostException(lost.getMessage(), lost);
            }
            throw new ExchangeMismatchException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            stop(server);
            Thread.currentThread().interrupt();
            throw new PeerLostException("interrupted while waiting for rank 1");
        }
    }

    /**
     * Stops the server: gracefully first, so a last answer (a refused handshake) still goes out.
     */
    private static void stop(GuardedServer server) {
        stop(server, Duration.ZERO);
    }

    /**
     * Stops the server gracefully for {@code drain} (at least {@link #LAST_ANSWER}), so that rank 1
     * still reads what it was sent, then at once.
     */
    private static void stop(GuardedServer server, Duration drain) {
        // An interrupted caller still gets everything stopped: the flag is put back at the end.
        boolean interrupted = Thread.interrupted();
        try {
            server.stop(Math.max(drain.toMillis(), LAST_ANSWER.toMillis()));
        } catch (InterruptedException e) {
            interrupted = true;
            server.stopNow();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
