package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.HandshakeRequest;
import dev.sharpness.api.exchange.v1.HandshakeResponse;
import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.StateChunk;
import dev.sharpness.api.exchange.v1.StateRequest;
import dev.sharpness.trainer.exchange.codec.FrameCodec;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rank 1's way into a pair: it handshakes with rank 0 (retrying while rank 0 is not up yet),
 * fetches rank 0's resume state, opens the session's exchange streams and hands back the {@link
 * PairExchange} over them.
 */
final class Rank1Client {
    private static final Logger LOG = LoggerFactory.getLogger(Rank1Client.class);

    /** Pause between rank 1's connection attempts while rank 0 is not up yet. */
    private static final long RETRY_PAUSE_MILLIS = 200;

    private Rank1Client() {}

    /** See {@link PairExchange#connect}. */
    static PairExchange connect(
            String host, int port, byte[] token, Identity identity, ExchangeSettings settings) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(identity, "identity");
        BearerToken bearer = new BearerToken(token);
        Rank1Channels channels = new Rank1Channels(host, port);
        try {
            return pair(channels, bearer, identity, settings, host + ":" + port, port);
        } catch (RuntimeException e) {
            channels.close();
            throw e;
        }
    }

    private static PairExchange pair(
            Rank1Channels channels,
            BearerToken bearer,
            Identity identity,
            ExchangeSettings settings,
            String address,
            int port) {
        PairExchangeGrpc.PairExchangeBlockingStub blocking =
                PairExchangeGrpc.newBlockingStub(channels.get(0)).withInterceptors(bearer.attach());
        HandshakeResponse answer = accepted(blocking, channels.get(0), identity, settings, address);
        int agreed = Math.max(1, answer.getExchangeStreams());
        Metadata session = new Metadata();
        session.put(PairExchangeService.SESSION_HEADER, answer.getSession());
        byte[] state =
                fetchState(
                        blocking.withInterceptors(
                                MetadataUtils.newAttachHeadersInterceptor(session)),
                        address,
                        settings.timeout());
        Streams streams =
                new Streams("rank 0", agreed, identity, settings.precision(), settings.timeout());
        for (int i = 0; i < agreed; i++) {
            openStream(channels.get(i), bearer, session, streams, i);
        }
        LOG.info(
                "Rank 1 paired with rank 0 at {} ({} elements, {}, {} exchange streams, {} bytes"
                        + " of resume state)",
                address,
                identity.layout().elementCount(),
                settings.precision(),
                agreed,
                state.length);
        // Rank 1 cuts its connections at once: it waits, when it must, before (PairExchange#close).
        return new PairExchange(
                1, port, identity, settings, streams, drain -> channels.close(), state);
    }

    /** Rank 0's acceptance of our handshake, with at most the streams we offered. */
    private static HandshakeResponse accepted(
            PairExchangeGrpc.PairExchangeBlockingStub blocking,
            ManagedChannel channel,
            Identity identity,
            ExchangeSettings settings,
            String address) {
        HandshakeRequest request =
                Handshakes.request(identity, settings.precision(), settings.streams());
        HandshakeResponse answer =
                handshake(blocking, channel, request, address, settings.timeout());
        if (!answer.getAccepted()) {
            throw new ExchangeMismatchException(
                    "rank 0 at " + address + " refused the handshake: " + answer.getReason());
        }
        if (answer.getExchangeStreams() > settings.streams()) {
            throw new ExchangeProtocolException(
                    "rank 0 at %s chose %d exchange streams; rank 1 offered at most %d"
                            .formatted(address, answer.getExchangeStreams(), settings.streams()));
        }
        return answer;
    }

    /** Starts exchange stream {@code index} on {@code channel}; its sender is bound on return. */
    private static void openStream(
            ManagedChannel channel,
            BearerToken bearer,
            Metadata session,
            Streams streams,
            int index) {
        ExchangeStream stream = streams.open(index);
        Metadata named = new Metadata();
        named.put(PairExchangeService.STREAM_HEADER, Integer.toString(index));
        PairExchangeGrpc.PairExchangeStub stub =
                PairExchangeGrpc.newStub(channel)
                        .withInterceptors(
                                bearer.attach(),
                                MetadataUtils.newAttachHeadersInterceptor(session),
                                MetadataUtils.newAttachHeadersInterceptor(named))
                        .withOnReadyThreshold(PairExchange.ON_READY_THRESHOLD);
        ClientCalls.asyncBidiStreamingCall( // binds the sender before it returns
                stub.getChannel().newCall(FrameCodec.EXCHANGE, stub.getCallOptions()),
                stream.inbound());
        streams.started(stream);
    }

    private static HandshakeResponse handshake(
            PairExchangeGrpc.PairExchangeBlockingStub stub,
            ManagedChannel channel,
            HandshakeRequest request,
            String address,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Status last = null;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new PeerLostException(
                        "rank 0 at "
                                + address
                                + " did not answer within "
                                + PairExchange.seconds(timeout)
                                + (last == null ? "" : " (last: " + describe(last) + ")"));
            }
            try {
                return stub.withDeadlineAfter(left, TimeUnit.NANOSECONDS).handshake(request);
            } catch (StatusRuntimeException e) {
                last = retriable(e, address, last);
            }
            // Rank 0 may not be up yet: try again soon, not after gRPC's growing backoff.
            try {
                Thread.sleep(Math.min(RETRY_PAUSE_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PeerLostException("interrupted while waiting for rank 0 at " + address);
            }
            channel.resetConnectBackoff();
        }
    }

    /**
     * A status in one line, {@code UNAVAILABLE: io exception (Connection refused:
     * /127.0.0.1:50051)}: gRPC's own {@code toString} carries the cause's whole stack trace, which
     * an ordinary wait for rank 0 to come up does not deserve.
     */
    static String describe(Status status) {
        StringBuilder line = new StringBuilder(status.getCode().toString());
        if (status.getDescription() != null) {
            line.append(": ").append(status.getDescription());
        }
        Throwable cause = status.getCause();
        while (cause != null && cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        if (cause != null) {
            line.append(" (")
                    .append(cause.getMessage() != null ? cause.getMessage() : cause.toString())
                    .append(')');
        }
        return line.toString();
    }

    /** The status of a handshake worth trying again (rank 0 not up yet); throws for the others. */
    private static Status retriable(StatusRuntimeException e, String address, Status last) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.UNAUTHENTICATED) {
            throw new ExchangeMismatchException("rank 0 at " + address + " refused our token", e);
        }
        if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
            throw new ExchangeMismatchException(
                    "rank 0 at " + address + " refused the handshake: " + describe(e.getStatus()),
                    e);
        }
        if (last == null) {
            LOG.info("Waiting for rank 0 at {}: {}", address, describe(e.getStatus()));
        }
        return e.getStatus();
    }

    private static byte[] fetchState(
            PairExchangeGrpc.PairExchangeBlockingStub stub, String address, Duration timeout) {
        ResumeStateBuffer state = new ResumeStateBuffer();
        try {
            Iterator<StateChunk> chunks =
                    stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                            .fetchState(StateRequest.getDefaultInstance());
            while (chunks.hasNext()) {
                state.add(chunks.next());
            }
        } catch (StatusRuntimeException e) {
            throw new PeerLostException(
                    "fetching the resume state from rank 0 at "
                            + address
                            + " failed: "
                            + describe(e.getStatus()),
                    e);
        }
        return state.whole();
    }
}
