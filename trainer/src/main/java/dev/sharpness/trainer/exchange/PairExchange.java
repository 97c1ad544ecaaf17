package dev.sharpness.trainer.exchange;

import com.google.protobuf.ByteString;
import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.FrameKind;
import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.trainer.exchange.codec.WireFrame;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gradient exchange of a SAMPa pair, as one rank holds it. Rank 0 (the x~ rank) {@link #serve
 * serves}, rank 1 (the y rank) {@link #connect connects}; after a handshake that checks both are
 * the same job, attempt, spec and parameter layout, and after rank 1 has fetched rank 0's resume
 * state, the two hold their exchange streams for the whole run (one, or several that each carry a
 * slice of every gradient on its own connection and cores). Each {@link #swap} sends this rank's
 * vector and returns the peer's, both directions at once; a swap {@link #begin begun} during the
 * backward pass sends each part of the vector as it becomes final.
 *
 * <p>Every wait is bounded by the timeout given when the pair formed: a peer that stops answering
 * or goes away (or any one of its streams) surfaces as {@link PeerLostException}, never as a hang.
 * Every call carries the job's token; calls without it are refused and logged, and do not disturb
 * the pair.
 *
 * <p>One thread at a time may swap; {@link #close} may come from any thread and makes a waiting
 * swap fail at once.
 */
public final class PairExchange implements AutoCloseable {
    /**
     * The most bytes one gradient may take on the wire: a vector is one Java array on the way out
     * and one buffer on the way in (2 GiB: 536 million parameters in fp32, twice that in bf16).
     */
    public static final long MAX_VECTOR_BYTES = Integer.MAX_VALUE - 8;

    /** How many bytes may wait in the transport before a sender waits: a few chunks in flight. */
    static final int ON_READY_THRESHOLD = 4 * ExchangeStream.CHUNK_BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(PairExchange.class);

    /**
     * How long a rank, closing, waits at most for its peer to take what its last call sent (see
     * {@link Owed}) before cutting the connection.
     */
    private static final Duration LINGER = Duration.ofSeconds(5);

    /** A divergence message is a sentence, not a payload: longer ones are cut (64 KiB at most). */
    private static final int MAX_DIVERGED_CHARS = 4096;

    private final int rank;
    private final String peer;
    private final int port;
    private final long elementCount;
    private final ExchangeSettings settings;
    private final Streams streams;
    private final Consumer<Duration> stopTransport; // given how long the peer may still read
    private final byte[] resumeState;
    private final SwapStats.Recorder stats = new SwapStats.Recorder();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * What this rank's last call may have left on its way to the peer. Closing must not cut it off:
     * the peer would see a lost peer (exit 3) instead of its last swap, or of the mismatch (exit
     * 5).
     */
    private enum Owed {
        /** Nothing: no call yet, or the last one lost the peer. */
        NOTHING,
        /**
         * The frames of a call that returned (a swap, a checksum that matched): a swap returns once
         * the peer's vector is in, while the end of ours may still be in our transport.
         */
        FRAMES,
        /**
         * Frames the peer needs for its own verdict, after which it ends the stream: rank 1's
         * state, a checksum that disagreed, the news of a divergence.
         */
        VERDICT
    }

    private volatile Owed owed = Owed.NOTHING;

    /** The swap {@link #begin} began and {@link PendingSwap#finish} has not finished. */
    private volatile PendingSwap pending;

    PairExchange(
            int rank,
            int port,
            Identity identity,
            ExchangeSettings settings,
            Streams streams,
            Consumer<Duration> stopTransport,
            byte[] resumeState) {
        this.rank = rank;
        this.peer = rank == 0 ? "rank 1" : "rank 0";
        this.port = port;
        this.elementCount = identity.layout().elementCount();
        this.settings = settings;
        this.streams = streams;
        this.stopTransport = stopTransport;
        this.resumeState = resumeState;
    }

    /**
     * Rank 0: listens on {@code listen} (port 0 picks a free one, see {@link #port}; the wildcard
     * address listens on every interface, as a pod must, a loopback address only on this machine)
     * and waits until rank 1 has handshaken and opened its exchange streams. Calls without the
     * token are refused and the wait goes on; a caller with the token whose handshake does not
     * match is taken for rank 1: it is told what differs and this method fails.
     *
     * @param token the job's token, printable ASCII without spaces
     * @param resumeState asked once, when rank 1 fetches it; null or empty when starting fresh
     * @param progress answers the operator's {@code GetProgress}, from the moment the server is up
     *     (also while waiting for rank 1) until {@link #close}
     * @param streams the exchange streams this rank can use (see {@link #defaultStreams}); the pair
     *     uses the fewer of both ranks' numbers
     * @throws ExchangeMismatchException if rank 1 is not this job's, attempt's, spec's or layout's
     * @throws PeerLostException if rank 1 has not paired within {@code timeout}
     */
    public static PairExchange serve(
            InetSocketAddress listen,
            byte[] token,
            Identity identity,
            Supplier<byte[]> resumeState,
            Supplier<Progress> progress,
            WirePrecision precision,
            Duration timeout,
            int streams) {
        requireFits(identity, precision);
        return Rank0Server.serve(
                listen,
                token,
                identity,
                resumeState,
                progress,
                new ExchangeSettings(precision, timeout, streams),
                ConnectionLimits.DEFAULT,
                new RefusalLog(),
                listening -> {});
    }

    /**
     * Rank 1: connects to rank 0 at {@code host:port}, retrying until {@code timeout} while rank 0
     * is not up yet; handshakes, fetches rank 0's resume state (within a further {@code timeout})
     * and opens the exchange streams.
     *
     * @param streams the exchange streams this rank can use (see {@link #defaultStreams})
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
            Duration timeout,
            int streams) {
        requireFits(identity, precision);
        return Rank1Client.connect(
                host, port, token, identity, new ExchangeSettings(precision, timeout, streams));
    }

    /**
     * The exchange streams to use by default: one per two cores this JVM may use ({@link
     * Runtime#availableProcessors}, which follows a container's CPU limit), 1 to 8.
     */
    public static int defaultStreams() {
        return defaultStreams(Runtime.getRuntime().availableProcessors());
    }

    /** The exchange streams to use by default on {@code cores} cores: one per two, 1 to 8. */
    public static int defaultStreams(int cores) {
        return ExchangeSettings.defaultStreams(cores);
    }

    /**
     * Why a gradient of {@code elements} values cannot cross in {@code precision} (it would take
     * more than {@link #MAX_VECTOR_BYTES}), or empty if it can.
     */
    public static Optional<String> tooLarge(long elements, WirePrecision precision) {
        long bytes = elements * precision.bytesPerElement();
        if (bytes <= MAX_VECTOR_BYTES) {
            return Optional.empty();
        }
        boolean halfFits =
                precision == WirePrecision.FP32
                        && elements * WirePrecision.BF16.bytesPerElement() <= MAX_VECTOR_BYTES;
        return Optional.of(
                String.format(
                        Locale.ROOT,
                        "a SAMPa pair swaps the whole gradient as one vector of at most %,d bytes;"
                                + " this model's %,d parameters take %,d in %s%s",
                        MAX_VECTOR_BYTES,
                        elements,
                        bytes,
                        precision,
                        halfFits ? " (spec.communication.precision: bf16 would halve it)" : ""));
    }

    private static void requireFits(Identity identity, WirePrecision precision) {
        tooLarge(identity.layout().elementCount(), precision)
                .ifPresent(
                        why -> {
                            throw new IllegalArgumentException(why);
                        });
    }

    /** The most exchange streams a rank may use. */
    public static int maxStreams() {
        return Streams.MAX;
    }

    /**
     * Sends {@code mine} as this rank's gradient for {@code step} and returns the peer's gradient
     * for the same step. Both directions run at the same time, so this takes one transfer, not two.
     * The vectors are in the wire's format ({@link #precision}): {@link Layout#elementCount()}
     * elements, each {@link WirePrecision#bytesPerElement()} bytes, little-endian, in the layout's
     * order. The exchange only moves bytes: whoever makes the vector rounds it to bf16, and must
     * then use the rounded vector itself, as the peer does.
     *
     * @param mine the vector to send; the exchange keeps no reference to it once this returned
     * @return the peer's vector, read-write, in one of the exchange's own direct buffers: valid
     *     until the next swap begins (they are reused, so that a swap allocates nothing)
     * @throws PeerLostException if the peer does not deliver within the timeout or a stream broke
     * @throws ExchangeProtocolException if the peer sent another step, kind or size
     */
    public ByteBuffer swap(long step, byte[] mine) {
        return swap(step, mine, StepIntent.NONE).gradient();
    }

    /**
     * {@link #swap(long, byte[])}, telling the peer what this rank does after the step and learning
     * what the peer does.
     */
    public synchronized Swapped swap(long step, byte[] mine, StepIntent intent) {
        long start = System.nanoTime();
        long deadline = beginSwap(mine, start);
        Readiness whole = Readiness.whole(elementCount, intent);
        // Stream 0's slice goes from this thread, the others' each from its own.
        List<Future<ExchangeStream.Sent>> others =
                streams.startSending(step, mine, whole, deadline, 1);
        ExchangeStream.Sent sent =
                streams.finishSending(
                        streams.get(0).sendGradient(step, mine, whole, deadline),
                        others,
                        deadline,
                        step);
        return received(step, start, System.nanoTime(), sent, deadline);
    }

    /**
     * Begins the swap of {@code mine} for {@code step} while it is still being made: a backward
     * pass makes the gradient final from the vector's end towards its start, and each part goes to
     * the peer as soon as the caller says it is final ({@link PendingSwap#finalFrom}), while the
     * caller computes the rest. {@link PendingSwap#finish} says the rest is final and returns the
     * peer's vector, as {@link #swap(long, byte[], StepIntent)} does. Until then this exchange
     * takes no other call (but {@link #close}), and the caller must not change what it said is
     * final. The timeout counts from here.
     *
     * @param mine the vector to fill in and send, {@link Layout#elementCount()} elements in the
     *     wire's format; the exchange keeps no reference to it once the swap is finished
     */
    public synchronized PendingSwap begin(long step, byte[] mine) {
        long deadline = beginSwap(mine, System.nanoTime());
        Readiness readiness = Readiness.none(elementCount);
        pending =
                new PendingSwap(
                        step,
                        readiness,
                        streams.startSending(step, mine, readiness, deadline, 0),
                        deadline);
        return pending;
    }

    /**
     * A swap begun before this rank's vector was final ({@link #begin}): the parts said to be final
     * are on their way.
     */
    public final class PendingSwap {
        private final long step;
        private final Readiness readiness;
        private final List<Future<ExchangeStream.Sent>> sends;
        private final long deadline;

        private PendingSwap(
                long step,
                Readiness readiness,
                List<Future<ExchangeStream.Sent>> sends,
                long deadline) {
            this.step = step;
            this.readiness = readiness;
            this.sends = sends;
            this.deadline = deadline;
        }

        /**
         * Elements {@code element} to the end of the vector are final: they may go. The mark only
         * moves towards the start.
         *
         * @throws IllegalArgumentException if {@code element} is outside the vector or above an
         *     earlier mark
         */
        public void finalFrom(long element) {
            readiness.finalFrom(element);
        }

        /**
         * The whole vector is final: sends what has not gone yet, with {@code intent}, and returns
         * the peer's vector once it is in.
         *
         * @throws PeerLostException if the peer does not deliver within the timeout or a stream
         *     broke
         * @throws ExchangeProtocolException if the peer sent another step, kind or size
         */
        public Swapped finish(StepIntent intent) {
            synchronized (PairExchange.this) {
                requireOpen();
                if (pending != this) {
                    throw new IllegalStateException("the swap for step " + step + " is over");
                }
                try {
                    long start = System.nanoTime();
                    readiness.allFinal(intent);
                    ExchangeStream.Sent sent =
                            streams.finishSending(
                                    ExchangeStream.Sent.NOTHING, sends, deadline, step);
                    return received(step, start, System.nanoTime(), sent, deadline);
                } finally {
                    pending = null;
                }
            }
        }
    }

    /**
     * The peer's gradient for {@code step}, once in, with the swap's figures recorded: from {@code
     * start}, when the swap began waiting; {@code sentAt}, when all of ours was handed over.
     */
    private Swapped received(
            long step, long start, long sentAt, ExchangeStream.Sent sent, long deadline) {
        FrameAssembler.Vector theirs = streams.receiveGradient(step, deadline);
        long end = System.nanoTime();
        stats.record(
                new SwapStats.Sample(
                        sent.bytes(),
                        sent.earlyBytes(),
                        end - start,
                        Math.max(0, Math.min(end, theirs.firstArrivalNanos()) - start),
                        sentAt - start,
                        sent.encodeNanos(),
                        theirs.decodeNanos()));
        owed = Owed.FRAMES;
        // The buffer itself, as a caller last left it two swaps ago: made whole again.
        ByteBuffer gradient = theirs.gradient().clear().order(ByteOrder.LITTLE_ENDIAN);
        return new Swapped(gradient, theirs.intent());
    }

    /**
     * Checks that a swap of {@code mine} may begin, and begins it at {@code start}: its deadline.
     */
    private long beginSwap(byte[] mine, long start) {
        requireIdle();
        requireSize(mine);
        owed = Owed.NOTHING;
        streams.buffers().beginSwap();
        return start + settings.timeout().toNanos();
    }

    private void requireSize(byte[] mine) {
        long expected = elementCount * settings.precision().bytesPerElement();
        if (mine.length != expected) {
            throw new IllegalArgumentException(
                    "a gradient of %d elements in %s takes %d bytes, got %d"
                            .formatted(elementCount, settings.precision(), expected, mine.length));
        }
    }

    /**
     * Rank 1: sends its own state after {@code step} (its BatchNorm statistics), bit for bit
     * whatever the gradient precision, for rank 0's checkpoint.
     *
     * @throws PeerLostException if rank 0 does not take it within the timeout
     */
    public synchronized void sendState(long step, float[] state) {
        requireIdle();
        if (rank != 1) {
            throw new IllegalStateException("only rank 1 sends its state");
        }
        ByteBuffer bytes = ByteBuffer.allocate(4 * state.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(state);
        owed = Owed.NOTHING;
        send(step, FrameKind.FRAME_KIND_STATE, bytes.array(), "its state for step " + step);
        owed = Owed.VERDICT;
    }

    /**
     * Rank 0: rank 1's state as sent after {@code step}.
     *
     * @throws PeerLostException if rank 1 does not deliver within the timeout or the stream broke
     * @throws ExchangeProtocolException if rank 1 sent something else
     */
    public synchronized float[] receiveState(long step) {
        requireIdle();
        if (rank != 0) {
            throw new IllegalStateException("only rank 0 receives rank 1's state");
        }
        byte[] bytes = receive(step, FrameKind.FRAME_KIND_STATE);
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
        requireIdle();
        if (checksum.length > FrameAssembler.MAX_CHECKSUM_BYTES) {
            throw new IllegalArgumentException("a checksum of " + checksum.length + " bytes");
        }
        owed = Owed.NOTHING;
        send(step, FrameKind.FRAME_KIND_CHECKSUM, checksum, "the checksum for step " + step);
        byte[] theirs = receive(step, FrameKind.FRAME_KIND_CHECKSUM);
        if (!MessageDigest.isEqual(checksum, theirs)) {
            owed = Owed.VERDICT;
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
        owed = Owed.FRAMES;
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
        if (pending != null) {
            // Part of a gradient may be on stream 0: the news would arrive in the middle of it.
            LOG.info("Could not tell {} that training diverged: a swap was under way", peer);
            return;
        }
        String text =
                message.length() > MAX_DIVERGED_CHARS
                        ? message.substring(0, MAX_DIVERGED_CHARS)
                        : message;
        try {
            send(
                    step,
                    FrameKind.FRAME_KIND_DIVERGED,
                    text.getBytes(StandardCharsets.UTF_8),
                    "the news of our divergence at step " + step);
            owed = Owed.VERDICT;
        } catch (RuntimeException e) {
            LOG.info("Could not tell {} that training diverged: {}", peer, e.getMessage());
        }
    }

    /** 0 for the x~ rank that serves, 1 for the y rank that connects. */
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
        return settings.precision();
    }

    /** How many exchange streams the pair agreed on. */
    public int streams() {
        return streams.count();
    }

    public SwapStats stats() {
        return stats.snapshot();
    }

    /**
     * Ends the streams and stops the server or the connections; the peer's next swap fails with
     * {@link PeerLostException}. What our last call sent still reaches the peer, unless that call
     * lost it: so closing may wait a little for the peer. Returns within a few seconds at most;
     * idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Owed owing = owed;
        ExchangeStream control = streams.get(0);
        if (rank == 1 && owing != Owed.NOTHING) {
            // Rank 1 cuts its connections when it stops. So it half-closes first and waits for
            // rank 0 to end the stream, as rank 0 does once it has everything, or once its next
            // call learns that rank 1 has ended.
            control.sender().complete();
            control.inbound().awaitEnd(LINGER);
        } else if (rank == 0 && owing == Owed.VERDICT) {
            // Rank 0 cannot half-close: ending its side ends the call, and rank 1 might then cut
            // the connection before reading what it holds; so rank 0 keeps the call open until
            // rank 1 has ended its side. The other streams stay open meanwhile: their end would
            // end stream 0 too.
            control.inbound().awaitEnd(LINGER);
        }
        for (int i = 0; i < streams.count(); i++) {
            streams.get(i).sender().complete();
        }
        streams.end(
                new PeerLostException("the exchange with " + peer + " was closed on this side"));
        PendingSwap unfinished = pending;
        if (unfinished != null) {
            unfinished.readiness.cancel();
        }
        streams.stopSending();
        // Rank 0's calls end after what it sent, and its server lets rank 1 read that first.
        stopTransport.accept(owing == Owed.NOTHING ? Duration.ZERO : LINGER);
    }

    /** Breaks exchange stream {@code index} as a failed connection would; for tests. */
    void abortStream(int index) {
        streams.get(index)
                .sender()
                .abort("stream " + index + " aborted on " + (rank == 0 ? "rank 0" : "rank 1"));
    }

    /** Sends {@code bytes} as a vector of {@code kind} on stream 0, in chunks. */
    private void send(long step, FrameKind kind, byte[] bytes, String what) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        int offset = 0;
        do {
            int count = Math.min(ExchangeStream.CHUNK_BYTES, bytes.length - offset);
            Frame frame =
                    Frame.newBuilder()
                            .setStep(step)
                            .setKind(kind)
                            .setOffset(offset)
                            .setTotal(bytes.length)
                            .setPayload(ByteString.copyFrom(bytes, offset, count))
                            .setLast(offset + count == bytes.length)
                            .build();
            streams.get(0).sender().send(WireFrame.of(frame), deadline, what);
            offset += count;
        } while (offset < bytes.length);
    }

    /** The peer's vector of {@code kind} for {@code step} from stream 0, as bytes. */
    private byte[] receive(long step, FrameKind kind) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        return streams.get(0).inbound().receive(step, kind, deadline).bytes();
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the exchange is closed");
        }
    }

    /** Open, and no swap {@link #begin begun} and not finished. */
    private void requireIdle() {
        requireOpen();
        PendingSwap unfinished = pending;
        if (unfinished != null) {
            throw new IllegalStateException(
                    "the swap for step " + unfinished.step + " was begun and not finished");
        }
    }

    static String seconds(Duration duration) {
        return "%.1f s".formatted(duration.toMillis() / 1000.0);
    }
}
