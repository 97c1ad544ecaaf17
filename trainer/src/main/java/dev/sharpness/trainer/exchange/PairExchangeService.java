package dev.sharpness.trainer.exchange;

import com.google.protobuf.ByteString;
import dev.sharpness.api.exchange.v1.HandshakeRequest;
import dev.sharpness.api.exchange.v1.HandshakeResponse;
import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.exchange.v1.ProgressRequest;
import dev.sharpness.api.exchange.v1.StateChunk;
import dev.sharpness.api.exchange.v1.StateRequest;
import dev.sharpness.trainer.exchange.codec.FrameCodec;
import dev.sharpness.trainer.exchange.codec.WireFrame;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rank 0's side of the protocol: accepts one rank 1, hands it the resume state, and accepts exactly
 * the session's exchange streams; answers the operator's progress queries at any time.
 */
final class PairExchangeService extends PairExchangeGrpc.PairExchangeImplBase {
    static final Metadata.Key<String> SESSION_HEADER =
            Metadata.Key.of("x-sam-session", Metadata.ASCII_STRING_MARSHALLER);

    /** Which of the session's exchange streams a call is; absent means stream 0. */
    static final Metadata.Key<String> STREAM_HEADER =
            Metadata.Key.of("x-sam-stream", Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger LOG = LoggerFactory.getLogger(PairExchangeService.class);
    private static final Context.Key<String> SESSION = Context.key("sam-session");
    private static final Context.Key<SocketAddress> REMOTE = Context.key("sam-remote-address");
    private static final Context.Key<String> STREAM = Context.key("sam-stream");

    private final Identity identity;
    private final ExchangeSettings settings;
    private final Supplier<byte[]> resumeState;
    private final Supplier<Progress> progress;
    private final int onReadyThreshold;
    private final RefusalLog refusals;
    private final AtomicReference<String> session = new AtomicReference<>();
    private final CompletableFuture<Streams> linked = new CompletableFuture<>();
    private volatile Streams streams; // set before the session is issued
    private byte[] state;

    PairExchangeService(
            Identity identity,
            ExchangeSettings settings,
            Supplier<byte[]> resumeState,
            Supplier<Progress> progress,
            int onReadyThreshold,
            RefusalLog refusals) {
        this.identity = identity;
        this.settings = settings;
        this.refusals = refusals;
        this.resumeState = resumeState;
        this.progress = progress;
        this.onReadyThreshold = onReadyThreshold;
    }

    /**
     * Completes when rank 1 has opened every exchange stream of its session; fails with {@link
     * ExchangeMismatchException} when a rank 1 holding the token turns out not to match, or with
     * {@link PeerLostException} when a stream ended before the others opened.
     */
    CompletableFuture<Streams> linked() {
        return linked;
    }

    /** Makes the session header and the caller's address visible to the calls. */
    static ServerInterceptor callerContext() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                Context context =
                        Context.current()
                                .withValues(
                                        SESSION,
                                        headers.get(SESSION_HEADER),
                                        REMOTE,
                                        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                                        STREAM,
                                        headers.get(STREAM_HEADER));
                return Contexts.interceptCall(context, call, headers, next);
            }
        };
    }

    @Override
    public void handshake(HandshakeRequest request, StreamObserver<HandshakeResponse> response) {
        SocketAddress remote = REMOTE.get();
        List<String> differences = Handshakes.differences(identity, settings.precision(), request);
        if (!differences.isEmpty()) {
            refuse(String.join("; ", differences), remote, response);
            return;
        }
        int agreed = Handshakes.agreedStreams(settings.streams(), request);
        String issued = issueSession(agreed);
        if (issued == null) {
            refusals.refused("a second rank 1's handshake", remote, "already paired");
            response.onError(
                    Status.FAILED_PRECONDITION
                            .withDescription("rank 0 is already paired with a rank 1")
                            .asRuntimeException());
            return;
        }
        LOG.info(
                "Paired with rank 1 at {} (job {}, attempt {}, {} elements, {}, {} of {} streams)",
                remote,
                identity.jobUid(),
                identity.attempt(),
                identity.layout().elementCount(),
                settings.precision(),
                agreed,
                settings.streams());
        streams.allOpen().whenComplete((all, failed) -> linkOrFail(all, failed));
        response.onNext(
                HandshakeResponse.newBuilder()
                        .setAccepted(true)
                        .setSession(issued)
                        .setExchangeStreams(agreed)
                        .build());
        response.onCompleted();
    }

    @Override
    public void fetchState(StateRequest request, StreamObserver<StateChunk> response) {
        if (!fromPairedPeer("FetchState", response)) {
            return;
        }
        byte[] bytes;
        try {
            bytes = state();
        } catch (RuntimeException e) {
            LOG.error("Cannot produce the resume state for rank 1", e);
            response.onError(
                    Status.INTERNAL
                            .withDescription("rank 0 cannot produce its resume state: " + e)
                            .asRuntimeException());
            return;
        }
        ServerCallStreamObserver<StateChunk> out = (ServerCallStreamObserver<StateChunk>) response;
        StateStreamer streamer = new StateStreamer(bytes, out);
        out.setOnCancelHandler(streamer::cancel);
        out.setOnReadyHandler(streamer);
    }

    /**
     * The generated service, but with {@code Exchange} carrying {@link WireFrame}s in {@link
     * FrameCodec}: same name, same messages on the wire.
     */
    ServerServiceDefinition definition() {
        ServerServiceDefinition.Builder service =
                ServerServiceDefinition.builder(PairExchangeGrpc.SERVICE_NAME);
        for (ServerMethodDefinition<?, ?> method : bindService().getMethods()) {
            if (!method.getMethodDescriptor()
                    .getFullMethodName()
                    .equals(FrameCodec.EXCHANGE.getFullMethodName())) {
                service.addMethod(method);
            }
        }
        return service.addMethod(
                        FrameCodec.EXCHANGE, ServerCalls.asyncBidiStreamingCall(this::open))
                .build();
    }

    /** Tells a rank 1 with the token that does not match what differs; the pair cannot form. */
    private void refuse(
            String reason, SocketAddress remote, StreamObserver<HandshakeResponse> response) {
        LOG.error("Refused the handshake of rank 1 at {}: {}", remote, reason);
        response.onNext(HandshakeResponse.newBuilder().setReason(reason).build());
        response.onCompleted();
        // It holds the job's token, so unless a matching rank 1 came first it is our rank 1, and
        // the pair cannot work.
        if (session.get() == null) {
            linked.completeExceptionally(
                    new ExchangeMismatchException(
                            "rank 1 at " + remote + " does not match rank 0: " + reason));
        }
    }

    /** A new session with {@code agreed} streams; null if a rank 1 has paired already. */
    private synchronized String issueSession(int agreed) {
        if (session.get() != null) {
            return null;
        }
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        streams = new Streams("rank 1", agreed, identity, settings.precision(), settings.timeout());
        session.set(HexFormat.of().formatHex(id));
        return session.get();
    }

    private void linkOrFail(Streams all, Throwable failed) {
        if (failed == null) {
            linked.complete(all);
        } else {
            linked.completeExceptionally(failed);
        }
    }

    /**
     * Rank 1 opens one of its session's exchange streams: each once, after an accepted handshake;
     * any other is refused.
     */
    private StreamObserver<WireFrame> open(StreamObserver<WireFrame> response) {
        if (!fromPairedPeer("Exchange", response)) {
            return new Ignored();
        }
        String named = STREAM.get() == null ? "0" : STREAM.get();
        int index = streamIndex(named);
        ExchangeStream stream = index < 0 ? null : streams.open(index);
        if (stream == null) {
            String why =
                    index < 0
                            ? "the session has %d exchange streams, not one numbered '%s'"
                                    .formatted(streams.count(), named)
                            : "exchange stream " + index + " is already open";
            refusals.refused("another exchange stream", REMOTE.get(), why);
            response.onError(Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException());
            return new Ignored();
        }
        ServerCallStreamObserver<WireFrame> out = (ServerCallStreamObserver<WireFrame>) response;
        out.setOnReadyThreshold(onReadyThreshold);
        stream.sender().attach(out);
        streams.started(stream);
        out.setOnCancelHandler(
                () ->
                        stream.inbound()
                                .end(
                                        new PeerLostException(
                                                "rank 1 cancelled exchange stream " + index)));
        return stream.inbound();
    }

    /** The stream a call names, or -1 if the session has no such stream. */
    private int streamIndex(String named) {
        try {
            int index = Integer.parseInt(named);
            return index >= 0 && index < streams.count() ? index : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void getProgress(ProgressRequest request, StreamObserver<Progress> response) {
        answerProgress(progress, response);
    }

    /** Answers a {@code GetProgress} call from {@code progress}, or UNAVAILABLE. */
    static void answerProgress(Supplier<Progress> progress, StreamObserver<Progress> response) {
        Progress answer;
        try {
            answer = progress.get();
        } catch (RuntimeException e) {
            LOG.warn("Progress is not available", e);
            response.onError(
                    Status.UNAVAILABLE.withDescription("progress: " + e).asRuntimeException());
            return;
        }
        if (answer == null) {
            response.onError(
                    Status.UNAVAILABLE.withDescription("no progress yet").asRuntimeException());
            return;
        }
        response.onNext(answer);
        response.onCompleted();
    }

    /** Whether the call carries the session of the accepted handshake; refuses it otherwise. */
    private boolean fromPairedPeer(String method, StreamObserver<?> response) {
        String issued = session.get();
        String presented = SESSION.get();
        if (issued != null
                && presented != null
                && MessageDigest.isEqual(
                        issued.getBytes(StandardCharsets.US_ASCII),
                        presented.getBytes(StandardCharsets.US_ASCII))) {
            return true;
        }
        refusals.refused(method, REMOTE.get(), "no accepted handshake for this session");
        response.onError(
                Status.FAILED_PRECONDITION
                        .withDescription("no accepted handshake for this session")
                        .asRuntimeException());
        return false;
    }

    /** The resume state, asked of the trainer once, when rank 1 first fetches it. */
    private synchronized byte[] state() {
        if (state == null) {
            byte[] supplied = resumeState.get();
            state = supplied == null ? new byte[0] : supplied;
        }
        return state;
    }

    /** Sends the state in chunks as fast as the transport drains; always at least one chunk. */
    private static final class StateStreamer implements Runnable {
        private final byte[] state;
        private final ServerCallStreamObserver<StateChunk> out;
        private int offset;
        private boolean done;

        StateStreamer(byte[] state, ServerCallStreamObserver<StateChunk> out) {
            this.state = state;
            this.out = out;
        }

        @Override
        public void run() {
            while (!done && out.isReady()) {
                int size = Math.min(ExchangeStream.CHUNK_BYTES, state.length - offset);
                out.onNext(
                        StateChunk.newBuilder()
                                .setOffset(offset)
                                .setTotal(state.length)
                                .setData(ByteString.copyFrom(state, offset, size))
                                .build());
                offset += size;
                if (offset == state.length) {
                    done = true;
                    out.onCompleted();
                }
            }
        }

        void cancel() {
            done = true;
        }
    }

    /** The inbound side of a refused stream. */
    private static final class Ignored implements StreamObserver<WireFrame> {
        @Override
        public void onNext(WireFrame frame) {
            frame.close();
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }
}
