package dev.sharpness.trainer.exchange.codec;

import com.google.protobuf.CodedOutputStream;
import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.trainer.exchange.ExchangeProtocolException;
import io.grpc.HasByteBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One {@link Frame} of the exchange stream as it crosses the transport, built so that a gradient's
 * bytes are copied as few times as possible (see {@link FrameCodec}):
 *
 * <ul>
 *   <li>a gradient chunk to send holds a slice of the vector's bytes, already in the wire's format,
 *       and gRPC copies them straight into its buffers as it writes the frame out;
 *   <li>a received frame keeps its payload in gRPC's buffers, to be copied once, straight into its
 *       destination; {@link #close} then gives the buffers back;
 *   <li>any other frame (a checksum, a state chunk, one parsed the ordinary way) holds the whole
 *       {@link Frame}.
 * </ul>
 */
public final class WireFrame implements AutoCloseable {
    private final Frame fields;
    private final int payloadSize;
    private final InputStream inPlace; // received: the payload, still in gRPC's buffers
    private final Slice slice; // to send: the payload, still in the sender's array
    private long writeNanos;

    /** Bytes {@code [from, from + length)} of {@code bytes}. */
    private record Slice(byte[] bytes, int from, int length) {}

    private WireFrame(Frame fields, int payloadSize, InputStream inPlace, Slice slice) {
        this.fields = fields;
        this.payloadSize = payloadSize;
        this.inPlace = inPlace;
        this.slice = slice;
    }

    /** A frame whose payload, if any, is in {@code frame} itself. */
    public static WireFrame of(Frame frame) {
        return new WireFrame(frame, frame.getPayload().size(), null, null);
    }

    /**
     * A gradient chunk to send: {@code fields} without a payload, and as payload {@code length}
     * bytes of {@code bytes} from {@code from}, which gRPC copies into its buffers when it writes
     * the frame. They must stay untouched until gRPC has taken the frame ({@code onNext} returned).
     */
    public static WireFrame gradient(Frame fields, byte[] bytes, int from, int length) {
        Objects.checkFromIndexSize(from, length, bytes.length);
        return new WireFrame(fields, length, null, new Slice(bytes, from, length));
    }

    /**
     * A received frame: {@code fields} without the payload, and the payload as the remaining {@code
     * size} bytes of {@code payload}, a stream detached from gRPC that supports {@link
     * HasByteBuffer}.
     */
    static WireFrame inPlace(Frame fields, InputStream payload, int size) {
        return new WireFrame(fields, size, payload, null);
    }

    /** Every field; the payload is empty when it is held apart ({@link #payloadSize}). */
    public Frame fields() {
        return fields;
    }

    public int payloadSize() {
        return payloadSize;
    }

    /** Whether the payload is held apart from {@link #fields}. */
    public boolean payloadApart() {
        return inPlace != null || slice != null;
    }

    /** The frame's size in protobuf's encoding. */
    public int serializedSize() {
        if (!payloadApart() || payloadSize == 0) {
            return fields.getSerializedSize();
        }
        return fields.getSerializedSize()
                + CodedOutputStream.computeUInt32SizeNoTag(FrameCodec.PAYLOAD_TAG)
                + CodedOutputStream.computeUInt32SizeNoTag(payloadSize)
                + payloadSize;
    }

    /** Time spent copying the payload into gRPC's buffers as the frame was written, in ns. */
    public long writeNanos() {
        return writeNanos;
    }

    /** Writes the payload's bytes to {@code out}. */
    void writePayload(OutputStream out) throws IOException {
        if (slice == null) {
            FrameCodec.writeBytes(fields.getPayload(), out);
            return;
        }
        long start = System.nanoTime();
        out.write(slice.bytes(), slice.from(), slice.length());
        writeNanos += System.nanoTime() - start;
    }

    /**
     * Copies the payload's bytes into {@code target} from index {@code at}, straight out of gRPC's
     * buffers (the target's position and limit stay as they are). The payload is consumed: call at
     * most once.
     */
    public void copyInto(ByteBuffer target, int at) {
        Objects.checkFromIndexSize(at, payloadSize, target.capacity());
        int[] next = {at};
        forEachPiece(
                piece -> {
                    int size = piece.remaining();
                    target.put(next[0], piece, piece.position(), size);
                    next[0] += size;
                });
    }

    /** Gives gRPC its buffers back; idempotent, and a no-op for a frame that holds none. */
    @Override
    public void close() {
        if (inPlace != null) {
            try {
                inPlace.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Hands a received payload to {@code sink} in pieces, in order, each a buffer to read. */
    private void forEachPiece(Consumer<ByteBuffer> sink) {
        if (slice != null) {
            throw new IllegalStateException("a frame to send is not read");
        }
        if (inPlace == null) {
            fields.getPayload().asReadOnlyByteBufferList().forEach(sink);
            return;
        }
        HasByteBuffer buffers = (HasByteBuffer) inPlace;
        try {
            int left = payloadSize;
            while (left > 0) {
                ByteBuffer piece = buffers.getByteBuffer();
                if (piece == null) {
                    throw new ExchangeProtocolException(
                            "a frame's payload ended " + left + " bytes short");
                }
                int size = Math.min(piece.remaining(), left);
                sink.accept(piece.limit(piece.position() + size));
                long skipped = inPlace.skip(size);
                if (skipped != size) {
                    throw new IllegalStateException(
                            "gRPC's stream skipped " + skipped + " of " + size + " bytes");
                }
                left -= size;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
