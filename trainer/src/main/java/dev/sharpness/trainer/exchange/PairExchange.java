package dev.sharpness.trainer.exchange;

import com.google.protobuf.ByteString;
import dev.sharpness.trainer.exchange.proto.Frame;
import dev.sharpness.trainer.exchange.proto.FrameKind;
import dev.sharpness.trainer.exchange.proto.HandshakeRequest;
import dev.sharpness.trainer.exchange.proto.HandshakeResponse;
import dev.sharpness.trainer.exchange.proto.PairExchangeGrpc;
import dev.sharpness.trainer.exchange.proto.Progress;
import dev.sharpness.trainer.exchange.proto.StateChunk;
import dev.sharpness.trainer.exchange.proto.StateRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gradient exchange of a SAMPa pair. Rank 0 (the x~ worker) {@link #serve serves}, rank 1 (the
 * y worker) {@link #connect connects}; after a handshake that checks both are the same job,
 * attempt, spec and parameter layout, and after rank 1 has fetched rank 0's resume state, the two
 * hold one gRPC stream for the whole run. Each {@link #swap} sends this rank's vector and returns
 * the peer's, both directions at once.
 *
 * <p>Every wait is bounded by the timeout given when the pair formed: a peer that stops answering
 * or goes away surfaces as {@link PeerLostException}, never as a hang. Every call carries the job's
 * token; calls without it are refused and logged, and do not disturb the pair.
 *
 * <p>One thread at a time may swap; {@link #close} may come from any thread and makes a waiting
 * swap fail at once.
 */
public final class PairExchange implements AutoCloseable {
    /** Payload bytes per frame: far below gRPC's 4 MiB message limit. */
    static final int CHUNK_BYTES = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(PairExchange.class);

    /** How many bytes may wait in the transport before a sender waits: a few chunks in flight. */
    private static final int ON_READY_THRESHOLD = 4 * CHUNK_BYTES;

    /**
     * How long a rank, closing, waits for its peer to end the stream before cutting it when its
     * last frames (rank 1's state for rank 0's final checkpoint, a checksum that disagreed, the
     * news of a divergence) may still be on their way.
     */
    private static final Duration LINGER = Duration.ofSeconds(5);

    /** A divergence message is a sentence, not a payload: longer ones are cut (64 KiB at most). */
    private static final int MAX_DIVERGED_CHARS = 4096;

    /** Pause between rank 1's connection attempts while rank 0 is not up yet. */
    private static final long RETRY_PAUSE_MILLIS = 200;

    private final int rank;
    private final String peer;
    private final int port;
    private final long elementCount;
    private final WirePrecision precision;
    private final Duration timeout;
    private final FrameSender sender;
    private final FrameAssembler inbound;
    private final GuardedServer server;
    private final ManagedChannel channel;
    private final ExecutorService executor;
    private final byte[] resumeState;
    private final SwapStats.Recorder stats = new SwapStats.Recorder();

    /**
     * Every gradient chunk is encoded here, piece by piece, as gRPC writes it out. That is safe
     * because sending a message serializes it before it returns: the framer copies the payload into
     * the transport's own buffers within {@code onNext}, and with transparent retries off nothing
     * keeps the message to send it again. Swaps are serialized by the monitor.
     */
    private final byte[] scratch = new byte[WireFrame.ENCODE_PIECE_BYTES];

    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Our last call sent frames the peer may not have taken yet and needs for its own verdict: rank
     * 1's state, or a checksum that disagreed. Closing then waits for the peer to end the stream
     * first, so a cancel does not discard them (the peer would see a lost peer, exit 3, instead of
     * the mismatch, exit 5).
     */
    private volatile boolean peerNeedsOurLastFrames;

    private PairExchange(
            int rank,
            int port,
            Identity identity,
            WirePrecision precision,
            Duration timeout,
            FrameSender sender,
            FrameAssembler inbound,
            GuardedServer server,
            ManagedChannel channel,
            ExecutorService executor,
            byte[] resumeState) {
        this.rank = rank;
        this.peer = rank == 0 ? "rank 1" : "rank 0";
        this.port = port;
        this.elementCount = identity.layout().elementCount();
        this.precision = precision;
        this.timeout = timeout;
        this.sender = sender;
        this.inbound = inbound;
        this.server = server;
        this.channel = channel;
        this.executor = executor;
        this.resumeState = resumeState;
    }

    /**
     * Rank 0: listens on {@code port} (0 picks a free one, see {@link #port}) and waits until rank
     * 1 has handshaken and opened the exchange stream. Calls without the token are refused and the
     * wait goes on; a caller with the token whose handshake does not match is taken for rank 1: it
     * is told what differs and this method fails.
     *
     * @param token the job's token, printable ASCII without spaces
     * @param resumeState asked once, when rank 1 fetches it; null or empty when starting fresh
     * @param progress answers the operator's {@code GetProgress}, from the moment the server is up
     *     (also while waiting for rank 1) until {@link #close}
     * @throws ExchangeMismatchException if rank 1 is not this job's, attempt's, spec's or layout's
     * @throws PeerLostException if rank 1 has not paired within {@code timeout}
     */
    public static PairExchange serve(
            int port,
            byte[] token,
            Identity identity,
            Supplier<byte[]> resumeState,
            Supplier<Progress> progress,
            WirePrecision precision,
            Duration timeout) {
        return serve(
                port, token, identity, resumeState, progress, precision, timeout, listening -> {});
    }

    /** {@link #serve}, telling {@code listening} the port as soon as the server is up. */
    static PairExchange serve(
            int port,
            byte[] token,
            Identity identity,
            Supplier<byte[]> resumeState,
            Supplier<Progress> progress,
            WirePrecision precision,
            Duration timeout,
            IntConsumer listening) {
        return serve(
                port,
                token,
                identity,
                resumeState,
                progress,
                precision,
                timeout,
                ConnectionLimits.DEFAULT,
                new RefusalLog(),
                listening);
    }

    /**
     * {@link #serve}, with the port bounded by {@code limits} and refusals logged to {@code
     * refusals}.
     */
    static PairExchange serve(
            int port,
            byte[] token,
            Identity identity,
            Supplier<byte[]> resumeState,
            Supplier<Progress> progress,
            WirePrecision precision,
            Duration timeout,
            ConnectionLimits limits,
            RefusalLog refusals,
            IntConsumer listening) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(resumeState, "resumeState");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(precision, "precision");
        requirePositive(timeout);
        BearerToken bearer = new BearerToken(token);
        PairExchangeService service =
                new PairExchangeService(
                        identity,
                        precision,
                        resumeState,
                        progress,
                        ON_READY_THRESHOLD,
                        timeout,
                        refusals);
        GuardedServer server;
        try {
            server =
                    GuardedServer.start(
                            port,
                            "rank0",
                            limits,
                            refusals,
                            ServerInterceptors.intercept(
                                    service.definition(),
                                    PairExchangeService.callerContext(),
                                    bearer.check(refusals))); // the last one runs first
        } catch (IOException e) {
            throw new UncheckedIOException("rank 0 cannot listen on port " + port, e);
        }
        LOG.info(
                "Rank 0 listening on port {}; waiting {} for rank 1",
                server.port(),
                seconds(timeout));
        listening.accept(server.port());
        try {
            PairExchangeService.Link link =
                    service.linked().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new PairExchange(
                    0,
                    server.port(),
                    identity,
                    precision,
                    timeout,
                    link.sender(),
                    link.inbound(),
                    server,
                    null,
                    null,
                    new byte[0]);
        } catch (TimeoutException e) {
            int listened = server.port();
            stop(server, null, null);
            throw new PeerLostException(
                    "rank 1 did not pair with rank 0 on port "
                            + listened
                            + " within "
                            + seconds(timeout));
        } catch (ExecutionException e) {
            stop(server, null, null);
            throw new ExchangeMismatchException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            stop(server, null, null);
            Thread.currentThread().interrupt();
            throw new PeerLostException("interrupted while waiting for rank 1");
        }
    }

    /**
     * Rank 1: connects to rank 0 at {@code host:port}, retrying until {@code timeout} while rank 0
     * is not up yet; handshakes, fetches rank 0's resume state (within a further {@code timeout})
     * and opens the exchange stream.
     *
     * @throws ExchangeMismatchException if rank 0 refuses the handshake or the token; the message
     *     carries rank 0's reason
     * @throws PeerLostException if rank 0 cannot be reached within {@code timeout}, or the state
     *     transfer fails
     */
    public static PairExchange connect(
            String host,
            int port,
            byte[] token,
            Identity identity,
            WirePrecision precision,
            Duration timeout) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(precision, "precision");
        requirePositive(timeout);
        BearerToken bearer = new BearerToken(token);
        String address = host + ":" + port;
        ExecutorService executor = newExecutor("rank1");
        ManagedChannel channel =
                NettyChannelBuilder.forAddress(host, port)
                        .usePlaintext()
                        // No transparent retries: a retriable call keeps each sent message to
                        // replay it, and a gradient frame is encoded from the live vector when
                        // it is written. Rank 1 retries the handshake itself.
                        .disableRetry()
                        .executor(executor)
                        .build();
        try {
            PairExchangeGrpc.PairExchangeBlockingStub blocking =
                    PairExchangeGrpc.newBlockingStub(channel).withInterceptors(bearer.attach());
            HandshakeResponse answer =
                    handshake(
                            blocking,
                            channel,
                            Handshakes.request(identity, precision),
                            address,
                            timeout);
            if (!answer.getAccepted()) {
                throw new ExchangeMismatchException(
                        "rank 0 at " + address + " refused the handshake: " + answer.getReason());
            }
            Metadata session = new Metadata();
            session.put(PairExchangeService.SESSION_HEADER, answer.getSession());
            byte[] state =
                    fetchState(
                            blocking.withInterceptors(
                                    MetadataUtils.newAttachHeadersInterceptor(session)),
                            address,
                            timeout);

            FrameSender sender = new FrameSender("rank 0", timeout);
            FrameAssembler inbound =
                    new FrameAssembler(
                            "rank 0", identity.layout().elementCount(), precision, sender, timeout);
            PairExchangeGrpc.PairExchangeStub stub =
                    PairExchangeGrpc.newStub(channel)
                            .withInterceptors(
                                    bearer.attach(),
                                    MetadataUtils.newAttachHeadersInterceptor(session))
                            .withOnReadyThreshold(ON_READY_THRESHOLD);
            ClientCalls.asyncBidiStreamingCall( // binds the sender before it returns
                    stub.getChannel().newCall(FrameCodec.EXCHANGE, stub.getCallOptions()), inbound);
            LOG.info(
                    "Rank 1 paired with rank 0 at {} ({} elements, {}, {} bytes of resume state)",
                    address,
                    identity.layout().elementCount(),
                    precision,
                    state.length);
            return new PairExchange(
                    1, port, identity, precision, timeout, sender, inbound, null, channel, executor,
                    state);
        } catch (RuntimeException e) {
            stop(null, channel, executor);
            throw e;
        }
    }

    /**
     * Sends {@code mine} as this rank's gradient for {@code step} and returns the peer's gradient
     * for the same step. Both directions run at the same time, so this takes one transfer, not two.
     *
     * @param mine exactly {@link Layout#elementCount()} elements of the handshake's layout
     * @return a new array; under {@link WirePrecision#BF16} the peer's values as rounded to bf16
     * @throws PeerLostException if the peer does not deliver within the timeout or the stream broke
     * @throws ExchangeProtocolException if the peer sent another step, kind or size
     */
    public float[] swap(long step, float[] mine) {
        return swap(step, mine, StepIntent.NONE).gradient();
    }

    /**
     * {@link #swap(long, float[])}, telling the peer what this rank does after the step and
     * learning what the peer does.
     */
    public synchronized Swapped swap(long step, float[] mine, StepIntent intent) {
        requireOpen();
        if (mine.length != elementCount) {
            throw new IllegalArgumentException(
                    "a gradient has " + elementCount + " elements, got " + mine.length);
        }
        peerNeedsOurLastFrames = false;
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int perChunk = CHUNK_BYTES / precision.bytesPerElement();
        long bytes = 0;
        long encodeNanos = 0;
        int offset = 0;
        do {
            int count = Math.min(perChunk, mine.length - offset);
            boolean last = offset + count == mine.length;
            Frame fields =
                    Frame.newBuilder()
                            .setStep(step)
                            .setKind(FrameKind.FRAME_KIND_GRADIENT)
                            .setOffset(offset)
                            .setTotal(mine.length)
                            .setLast(last)
                            .setCheckpoint(last && intent.checkpoint())
                            .setStop(last && intent.stop())
                            .build();
            WireFrame frame = WireFrame.gradient(fields, precision, mine, offset, count, scratch);
            sender.send(frame, deadline, "the gradient for step " + step);
            encodeNanos += frame.encodeNanos();
            bytes += frame.serializedSize();
            offset += count;
        } while (offset < mine.length);
        long sent = System.nanoTime();
        FrameAssembler.Vector theirs =
                inbound.receive(step, FrameKind.FRAME_KIND_GRADIENT, deadline);
        long end = System.nanoTime();
        stats.record(
                new SwapStats.Sample(
                        bytes,
                        end - start,
                        Math.max(0, Math.min(end, theirs.firstArrivalNanos()) - start),
                        sent - start,
                        encodeNanos,
                        theirs.decodeNanos()));
        return new Swapped(theirs.floats(), theirs.intent());
    }

    /**
     * Rank 1: sends its own state after {@code step} (its BatchNorm statistics), bit for bit
     * whatever the gradient precision, for rank 0's checkpoint.
     *
     * @throws PeerLostException if rank 0 does not take it within the timeout
     */
    public synchronized void sendState(long step, float[] state) {
        requireOpen();
        if (rank != 1) {
            throw new IllegalStateException("only rank 1 sends its state");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer bytes = ByteBuffer.allocate(4 * state.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(state);
        int total = bytes.capacity();
        int offset = 0;
        do {
            int count = Math.min(CHUNK_BYTES, total - offset);
            sender.send(
                    WireFrame.of(
                            Frame.newBuilder()
                                    .setStep(step)
                                    .setKind(FrameKind.FRAME_KIND_STATE)
                                    .setOffset(offset)
                                    .setTotal(total)
                                    .setPayload(ByteString.copyFrom(bytes.array(), offset, count))
                                    .setLast(offset + count == total)
                                    .build()),
                    deadline,
                    "its state for step " + step);
            offset += count;
        } while (offset < total);
        peerNeedsOurLastFrames = true;
    }

    /**
     * Rank 0: rank 1's state as sent after {@code step}.
     *
     * @throws PeerLostException if rank 1 does not deliver within the timeout or the stream broke
     * @throws ExchangeProtocolException if rank 1 sent something else
     */
    public synchronized float[] receiveState(long step) {
        requireOpen();
        if (rank != 0) {
            throw new IllegalStateException("only rank 0 receives rank 1's state");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] bytes = inbound.receive(step, FrameKind.FRAME_KIND_STATE, deadline).bytes();
        if (bytes.length % 4 != 0) {
            throw new ExchangeProtocolException(
                    "rank 1 sent a state of " + bytes.length + " bytes, not whole floats");
        }
        float[] state = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(state);
        return state;
    }

    /**
     * Swaps a checksum of the parameters (e.g. a SHA-256) with the peer and compares them.
     *
     * @throws ReplicaMismatchException if the peer's checksum differs from {@code checksum}
     * @throws PeerLostException if the peer does not deliver within the timeout or the stream broke
     */
    public synchronized void verifyReplicas(long step, byte[] checksum) {
        requireOpen();
        if (checksum.length > FrameAssembler.MAX_CHECKSUM_BYTES) {
            throw new IllegalArgumentException("a checksum of " + checksum.length + " bytes");
        }
        peerNeedsOurLastFrames = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        sender.send(
                WireFrame.of(
                        Frame.newBuilder()
                                .setStep(step)
                                .setKind(FrameKind.FRAME_KIND_CHECKSUM)
                                .setTotal(checksum.length)
                                .setPayload(ByteString.copyFrom(checksum))
                                .setLast(true)
                                .build()),
                deadline,
                "the checksum for step " + step);
        byte[] theirs = inbound.receive(step, FrameKind.FRAME_KIND_CHECKSUM, deadline).bytes();
        if (!MessageDigest.isEqual(checksum, theirs)) {
            peerNeedsOurLastFrames = true;
            HexFormat hex = HexFormat.of();
            String mineHex = hex.formatHex(checksum);
            String theirsHex = hex.formatHex(theirs);
            throw new ReplicaMismatchException(
                    "the replicas differ at step %d: rank 0 has checksum %s, rank 1 has %s"
                            .formatted(
                                    step,
                                    rank == 0 ? mineHex : theirsHex,
                                    rank == 0 ? theirsHex : mineHex));
        }
    }

    /**
     * Tells the peer that this rank's training diverged at {@code step}, with {@code message} (the
     * reason this rank will report), so that the peer ends with the same cause and not with a lost
     * peer. Then {@link #close} waits a little for the peer to end the stream, so that the news is
     * not discarded by the cancel. Best effort: a peer that is gone already is not told.
     */
    public synchronized void reportDiverged(long step, String message) {
        if (closed.get()) {
            return;
        }
        String text =
                message.length() > MAX_DIVERGED_CHARS
                        ? message.substring(0, MAX_DIVERGED_CHARS)
                        : message;
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            sender.send(
                    WireFrame.of(
                            Frame.newBuilder()
                                    .setStep(step)
                                    .setKind(FrameKind.FRAME_KIND_DIVERGED)
                                    .setTotal(bytes.length)
                                    .setPayload(ByteString.copyFrom(bytes))
                                    .setLast(true)
                                    .build()),
                    System.nanoTime() + timeout.toNanos(),
                    "the news of our divergence at step " + step);
            peerNeedsOurLastFrames = true;
        } catch (RuntimeException e) {
            LOG.info("Could not tell {} that training diverged: {}", peer, e.getMessage());
        }
    }

    /** 0 for the x~ worker that serves, 1 for the y worker that connects. */
    public int rank() {
        return rank;
    }

    /** The port rank 0 listens on (the one it picked when asked for 0). */
    public int port() {
        return port;
    }

    /** Rank 0's resume state as rank 1 received it (not copied); empty on rank 0. */
    public byte[] resumeState() {
        return resumeState;
    }

    public WirePrecision precision() {
        return precision;
    }

    public SwapStats stats() {
        return stats.snapshot();
    }

    /**
     * Ends the stream and stops the server or channel; the peer's next swap fails with {@link
     * PeerLostException}. Rank 1, when its last call sent its state, first waits a little for rank
     * 0 to end the stream, so that the state arrives. Returns within a few seconds at most;
     * idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (peerNeedsOurLastFrames) {
            // Rank 1 half-closes, and rank 0 still answers it. Rank 0 cannot half-close: ending
            // its side ends the call, and rank 1 might then cut the connection before reading
            // what it holds; so rank 0 keeps the call open until rank 1 has ended its side.
            if (rank == 1) {
                sender.complete();
            }
            inbound.awaitEnd(LINGER);
        }
        sender.complete();
        inbound.end(
                new PeerLostException("the exchange with " + peer + " was closed on this side"));
        stop(server, channel, executor);
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the exchange is closed");
        }
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
                                + seconds(timeout)
                                + (last == null ? "" : " (last: " + last + ")"));
            }
            try {
                return stub.withDeadlineAfter(left, TimeUnit.NANOSECONDS).handshake(request);
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.UNAUTHENTICATED) {
                    throw new ExchangeMismatchException(
                            "rank 0 at " + address + " refused our token", e);
                }
                if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
                    throw new ExchangeMismatchException(
                            "rank 0 at " + address + " refused the handshake: " + e.getStatus(), e);
                }
                if (last == null) {
                    LOG.info("Waiting for rank 0 at {}: {}", address, e.getStatus());
                }
                last = e.getStatus();
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

    private static byte[] fetchState(
            PairExchangeGrpc.PairExchangeBlockingStub stub, String address, Duration timeout) {
        byte[] state = null;
        int received = 0;
        try {
            Iterator<StateChunk> chunks =
                    stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                            .fetchState(StateRequest.getDefaultInstance());
            while (chunks.hasNext()) {
                StateChunk chunk = chunks.next();
                if (state == null) {
                    if (chunk.getTotal() < 0 || chunk.getTotal() > Integer.MAX_VALUE - 8) {
                        throw new ExchangeProtocolException(
                                "rank 0 announced a resume state of "
                                        + chunk.getTotal()
                                        + " bytes");
                    }
                    state = new byte[(int) chunk.getTotal()];
                }
                int size = chunk.getData().size();
                if (chunk.getTotal() != state.length
                        || chunk.getOffset() != received
                        || size > state.length - received) {
                    throw new ExchangeProtocolException(
                            "rank 0 sent %d resume-state bytes at %d of %d after %d of %d"
                                    .formatted(
                                            size,
                                            chunk.getOffset(),
                                            chunk.getTotal(),
                                            received,
                                            state.length));
                }
                chunk.getData().copyTo(state, received);
                received += size;
            }
        } catch (StatusRuntimeException e) {
            throw new PeerLostException(
                    "fetching the resume state from rank 0 at "
                            + address
                            + " failed: "
                            + e.getStatus(),
                    e);
        }
        if (state == null || received != state.length) {
            throw new ExchangeProtocolException(
                    "rank 0's resume state ended after "
                            + received
                            + " of "
                            + (state == null ? "?" : state.length)
                            + " bytes");
        }
        return state;
    }

    private static void stop(
            GuardedServer server, ManagedChannel channel, ExecutorService executor) {
        // An interrupted caller still gets everything stopped: the flag is put back at the end.
        boolean interrupted = Thread.interrupted();
        try {
            if (server != null) {
                // Graceful first, so a last answer (a refused handshake) still reaches the peer.
                server.stop(500);
            }
            if (channel != null) {
                channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            }
            if (executor != null) {
                executor.shutdownNow();
                executor.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            if (server != null) {
                server.stopNow();
            }
            if (channel != null) {
                channel.shutdownNow();
            }
            if (executor != null) {
                executor.shutdownNow();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Rank 1's call threads: a fixed few, as on rank 0's side, since its call handlers never block
     * either.
     */
    private static ExecutorService newExecutor(String role) {
        return Executors.newFixedThreadPool(
                ConnectionLimits.DEFAULT.callThreads(), GuardedServer.threads(role));
    }

    private static void requirePositive(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the exchange timeout must be positive: " + timeout);
        }
    }

    static String seconds(Duration duration) {
        return "%.1f s".formatted(duration.toMillis() / 1000.0);
    }
}
