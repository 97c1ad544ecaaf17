package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.FrameKind;
import dev.sharpness.trainer.exchange.codec.WireFrame;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The peer's half of one exchange stream. gRPC hands it frames one at a time (on its own threads,
 * never concurrently); it checks that they are contiguous chunks of one vector (for a gradient: of
 * this stream's slice of it), copies them as they come, straight from gRPC's buffers into the
 * buffer the gradient is received in, so receiving overlaps with our sending, and queues each
 * completed vector for {@link #receive}. As a {@link ClientResponseObserver} it also binds rank 1's
 * {@link FrameSender} when the call starts.
 */
final class FrameAssembler implements ClientResponseObserver<WireFrame, WireFrame> {
    /** A checksum is a digest, not a vector: anything longer is a protocol error. */
    static final int MAX_CHECKSUM_BYTES = 1 << 16;

    /**
     * A completed vector: {@code gradient} for a gradient (the whole receive buffer, in the wire's
     * format, this stream's slice filled in), {@code bytes} for a checksum or a state; {@code
     * intent} as the last chunk of a gradient carried it; when its first chunk arrived ({@link
     * System#nanoTime}) and how long copying its chunks out of gRPC's buffers took, in nanoseconds.
     */
    record Vector(
            long step,
            FrameKind kind,
            ByteBuffer gradient,
            byte[] bytes,
            StepIntent intent,
            long firstArrivalNanos,
            long decodeNanos) {}

    private final String peer;
    private final long elementCount;
    private final int sliceFrom;
    private final int sliceTo;
    private final WirePrecision precision;
    private final FrameSender sender;
    private final Duration timeout;
    private final ReceiveBuffers buffers;
    private final Consumer<RuntimeException> onEnd;
    private final Consumer<RuntimeException> onCleanEnd;
    private final BlockingQueue<Object> delivered = new LinkedBlockingQueue<>(); // Vector or end
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicBoolean over = new AtomicBoolean();

    // The vector in progress; only gRPC's serialized callbacks touch these.
    private long step;
    private FrameKind kind;
    private long total;
    private long end; // where a checksum, state or divergence is complete: its total
    private long next = -1; // where the next chunk must end (a gradient) or begin; -1 between
    private long gradients; // gradients begun
    private ByteBuffer gradient;
    private byte[] bytes;
    private long firstArrivalNanos;
    private long decodeNanos;
    private boolean failed;

    /**
     * Receives the peer's frames of one stream: its slice {@code [sliceFrom, sliceTo)} of every
     * gradient (in elements), copied into {@code buffers}, and (on stream 0) the other kinds.
     * {@code onEnd} hears why the stream ended, once, if it broke or we ended it; {@code
     * onCleanEnd} if the peer ended it cleanly.
     */
    FrameAssembler(
            String peer,
            long elementCount,
            int sliceFrom,
            int sliceTo,
            WirePrecision precision,
            FrameSender sender,
            Duration timeout,
            ReceiveBuffers buffers,
            Consumer<RuntimeException> onEnd,
            Consumer<RuntimeException> onCleanEnd) {
        this.peer = peer;
        this.timeout = timeout;
        this.elementCount = elementCount;
        this.sliceFrom = sliceFrom;
        this.sliceTo = sliceTo;
        this.precision = precision;
        this.sender = sender;
        this.buffers = buffers;
        this.onEnd = onEnd;
        this.onCleanEnd = onCleanEnd;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WireFrame> requestStream) {
        sender.attach(requestStream);
    }

    @Override
    public void onNext(WireFrame frame) {
        try (frame) {
            if (!failed) {
                accept(frame);
            }
        } catch (ExchangeProtocolException e) {
            failed = true;
            end(e);
        }
    }

    @Override
    public void onError(Throwable t) {
        end(new PeerLostException(peer + " broke the exchange stream: " + Status.fromThrowable(t)));
    }

    /**
     * The peer ended this stream cleanly, after every frame it sent on it, and those are still
     * delivered. So are the frames the other streams still carry: a peer that closes right after
     * its last swap may end stream 0 before its slice on stream 1 has arrived. Each of those
     * streams ends when its own end arrives; only a broken stream ends all of them at once.
     */
    @Override
    public void onCompleted() {
        finish(new PeerLostException(peer + " closed the exchange stream"), onCleanEnd);
    }

    /**
     * Ends the stream for {@link #receive}: what is queued is still delivered, then {@code why}.
     * The first reason stays: the peer's own account of why it ended (its divergence) is not
     * replaced by the close that follows it.
     */
    void end(RuntimeException why) {
        finish(why, onEnd);
    }

    private void finish(RuntimeException why, Consumer<RuntimeException> listener) {
        if (!over.compareAndSet(false, true)) {
            return;
        }
        sender.lost(why);
        delivered.add(why);
        ended.countDown();
        listener.accept(why);
    }

    /** Waits at most {@code limit} for the stream to end; whether it did. */
    boolean awaitEnd(Duration limit) {
        try {
            return ended.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The peer's vector of {@code kind} for {@code step}, waiting at most until the deadline.
     *
     * @throws PeerLostException if the deadline passes or the stream ended
     * @throws ExchangeProtocolException if the peer sent something else
     */
    Vector receive(long step, FrameKind kind, long deadlineNanos) {
        Object item;
        try {
            item = delivered.poll(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerLostException("interrupted while waiting for " + peer);
        }
        if (item == null) {
            throw new PeerLostException(
                    "%s did not deliver %s for step %d within %s"
                            .formatted(peer, name(kind), step, PairExchange.seconds(timeout)));
        }
        if (item instanceof RuntimeException end) {
            delivered.add(end); // every later call fails the same way
            throw again(end);
        }
        Vector vector = (Vector) item;
        if (vector.step() != step || vector.kind() != kind) {
            ExchangeProtocolException wrong =
                    new ExchangeProtocolException(
                            "expected %s for step %d from %s, got %s for step %d"
                                    .formatted(
                                            name(kind),
                                            step,
                                            peer,
                                            name(vector.kind()),
                                            vector.step()));
            end(wrong); // the ranks are out of step: nothing after this can be trusted
            throw wrong;
        }
        return vector;
    }

    /**
     * A fresh exception of the same type as {@code end}, which ended the stream on one of gRPC's
     * threads, so that the trace also shows the caller that ran into it.
     */
    static RuntimeException again(RuntimeException end) {
        if (end instanceof ExchangeProtocolException) {
            return new ExchangeProtocolException(end.getMessage(), end);
        }
        if (end instanceof PeerDivergedException) {
            return new PeerDivergedException(end.getMessage(), end);
        }
        return new PeerLostException(end.getMessage(), end);
    }

    private void accept(WireFrame wire) {
        long arrived = System.nanoTime();
        Frame frame = wire.fields();
        if (next < 0) {
            firstArrivalNanos = arrived;
            decodeNanos = 0;
            begin(frame);
        } else {
            requireSameVector(frame);
        }
        boolean complete;
        if (kind == FrameKind.FRAME_KIND_GRADIENT) {
            complete = acceptSlice(frame, wire);
            decodeNanos += System.nanoTime() - arrived;
        } else {
            complete = acceptBytes(frame, wire);
        }
        if (frame.getLast() != complete) {
            throw new ExchangeProtocolException(
                    "%s marked the chunk at %d of %s for step %d as %s"
                            .formatted(
                                    peer,
                                    frame.getOffset(),
                                    name(kind),
                                    step,
                                    complete ? "not last" : "last"));
        }
        if (complete) {
            complete(frame);
        }
    }

    /**
     * A gradient's chunk: the elements just below those this stream has received of its slice,
     * which arrives from its end towards its start ({@link ExchangeStream#sendGradient}). Only an
     * empty slice comes as an empty chunk: empty chunks would move nothing along, however many.
     *
     * @return whether the slice is complete with it
     */
    private boolean acceptSlice(Frame frame, WireFrame wire) {
        int width = precision.bytesPerElement();
        int size = wire.payloadSize();
        long offset = frame.getOffset();
        boolean empty = size == 0 && sliceFrom != sliceTo;
        if (empty || size % width != 0 || offset < sliceFrom || offset + size / width != next) {
            throw new ExchangeProtocolException(
                    String.format(
                            "%s sent %d payload bytes at offset %d of the gradient for step %d,"
                                    + " where the chunk ending at %d of its slice [%d, %d) was due"
                                    + " (%d elements, %s)",
                            peer, size, offset, step, next, sliceFrom, sliceTo, total, precision));
        }
        wire.copyInto(gradient, (int) offset * width);
        next = offset;
        return next == sliceFrom;
    }

    /**
     * A chunk of a checksum, a state or a divergence: the bytes that continue the vector.
     *
     * @return whether the vector is complete with it
     */
    private boolean acceptBytes(Frame frame, WireFrame wire) {
        int size = wire.payloadSize();
        if (frame.getOffset() != next || next + size > end) {
            throw new ExchangeProtocolException(
                    "%s sent %d bytes at offset %d of %s for step %d, where offset %d of %d was due"
                            .formatted(
                                    peer, size, frame.getOffset(), name(kind), step, next, total));
        }
        wire.copyInto(ByteBuffer.wrap(bytes), (int) next);
        next += size;
        return next == end;
    }

    /** A chunk after the first must belong to the vector in progress. */
    private void requireSameVector(Frame frame) {
        if (frame.getStep() != step || frame.getKind() != kind || frame.getTotal() != total) {
            throw new ExchangeProtocolException(
                    "%s sent %s for step %d (%d long) while %s for step %d (%d long) stood at %d"
                            .formatted(
                                    peer,
                                    name(frame.getKind()),
                                    frame.getStep(),
                                    frame.getTotal(),
                                    name(kind),
                                    step,
                                    total,
                                    next));
        }
    }

    /**
     * The vector in progress is complete with {@code frame}: delivers it, or ends on a divergence.
     */
    private void complete(Frame frame) {
        if (kind == FrameKind.FRAME_KIND_DIVERGED) {
            end(
                    new PeerDivergedException(
                            "%s diverged at step %d: %s"
                                    .formatted(
                                            peer,
                                            step,
                                            new String(bytes, StandardCharsets.UTF_8))));
        } else {
            delivered.add(
                    new Vector(
                            step,
                            kind,
                            gradient,
                            bytes,
                            new StepIntent(frame.getCheckpoint(), frame.getStop()),
                            firstArrivalNanos,
                            decodeNanos));
            next = -1;
            gradient = null;
            bytes = null;
        }
    }

    private void begin(Frame frame) {
        step = frame.getStep();
        kind = frame.getKind();
        total = frame.getTotal();
        boolean isGradient = kind == FrameKind.FRAME_KIND_GRADIENT;
        if (isGradient) {
            if (total != elementCount) {
                throw new ExchangeProtocolException(
                        "%s sent a gradient of %d elements for step %d; the layout has %d"
                                .formatted(peer, total, step, elementCount));
            }
            gradient = buffers.forGradient(gradients++, peer);
        } else if (kind == FrameKind.FRAME_KIND_CHECKSUM || kind == FrameKind.FRAME_KIND_DIVERGED) {
            if (total < 0 || total > MAX_CHECKSUM_BYTES) {
                throw new ExchangeProtocolException(
                        "%s sent %s of %d bytes for step %d; at most %d are allowed"
                                .formatted(peer, name(kind), total, step, MAX_CHECKSUM_BYTES));
            }
            bytes = new byte[(int) total];
        } else if (kind == FrameKind.FRAME_KIND_STATE) {
            // Rank 1's own state is its BatchNorm statistics, never more values than the model
            // has trainable parameters (each BatchNorm channel has a trainable scale and shift).
            if (total < 0 || total > 4 * elementCount) {
                throw new ExchangeProtocolException(
                        "%s sent a state of %d bytes for step %d; at most %d are allowed"
                                .formatted(peer, total, step, 4 * elementCount));
            }
            bytes = new byte[(int) total];
        } else {
            throw new ExchangeProtocolException(
                    "%s sent %s for step %d".formatted(peer, name(kind), step));
        }
        // A gradient's slice arrives from its end down, the other vectors from their start up.
        next = isGradient ? sliceTo : 0;
        end = total;
    }

    private static String name(FrameKind kind) {
        return switch (kind) {
            case FRAME_KIND_GRADIENT -> "the gradient";
            case FRAME_KIND_CHECKSUM -> "the checksum";
            case FRAME_KIND_STATE -> "its state";
            case FRAME_KIND_DIVERGED -> "the news of its divergence";
            default -> "a frame of kind " + kind;
        };
    }
}
