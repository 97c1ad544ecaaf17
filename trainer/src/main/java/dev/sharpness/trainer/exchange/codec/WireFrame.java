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
import java.util.function.Consumer;

/**
 * One {@link Frame} of the exchange stream as it crosses the transport, built so that a gradient's
 * bytes are copied as few times as possible (see {@link FrameCodec}):
 *
 * <ul>
 *   <li>a gradient chunk to send holds the vector itself, and is encoded as gRPC writes it out,
 *       piece by piece, straight into gRPC's buffers;
 *   <li>a received frame keeps its payload in gRPC's buffers, to be decoded once, straight into its
 *       destination; {@link #close} then gives the buffers back;
 *   <li>any other frame (a checksum, a state chunk, one parsed the ordinary way) holds the whole
 *       {@link Frame}.
 * </ul>
 */
public final class WireFrame implements AutoCloseable {
    private final Frame fields;
    private final int payloadSize;
    private final InputStream inPlace; // received: the payload, still in gRPC's buffers
    private final Elements elements; // to send: the payload, still a vector
    private long encodeNanos;

    /** A slice of a vector to send, encoded by {@code encoder}. */
    private record Elements(PayloadEncoder encoder, float[] vector, int from, int count) {}

    private WireFrame(Frame fields, int payloadSize, InputStream inPlace, Elements elements) {
        this.fields = fields;
        this.payloadSize = payloadSize;
        this.inPlace = inPlace;
        this.elements = elements;
    }

    /** A frame whose payload, if any, is in {@code frame} itself. */
    public static WireFrame of(Frame frame) {
        return new WireFrame(frame, frame.getPayload().size(), null, null);
    }

    /**
     * A gradient chunk to send: {@code fields} without a payload, and as payload {@code count}
     * elements of {@code vector} from {@code from}, encoded by {@code encoder} when the frame is
     * written. The vector must stay untouched, and the encoder unused by any other frame, until
     * gRPC has taken the frame ({@code onNext} returned).
     */
    public static WireFrame gradient(
            Frame fields, PayloadEncoder encoder, float[] vector, int from, int count) {
        return new WireFrame(
                fields,
                count * encoder.precision().bytesPerElement(),
                null,
                new Elements(encoder, vector, from, count));
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
        return inPlace != null || elements != null;
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

    /** Time spent encoding the payload while the frame was written, in nanoseconds. */
    public long encodeNanos() {
        return encodeNanos;
    }

    /** Writes the payload's bytes to {@code out}. */
    void writePayload(OutputStream out) throws IOException {
        if (elements == null) {
            FrameCodec.writeBytes(fields.getPayload(), out);
            return;
        }
        PayloadEncoder encoder = elements.encoder();
        int perPiece = encoder.elementsPerPiece();
        int bytesPerElement = encoder.precision().bytesPerElement();
        for (int done = 0; done < elements.count(); done += perPiece) {
            int count = Math.min(perPiece, elements.count() - done);
            long start = System.nanoTime();
            byte[] piece = encoder.encode(elements.vector(), elements.from() + done, count);
            encodeNanos += System.nanoTime() - start;
            out.write(piece, 0, count * bytesPerElement);
        }
    }

    /**
     * Decodes the payload with {@code decoder} into {@code vector} from {@code at}, straight out of
     * gRPC's buffers; returns how many elements it held. The payload is consumed: call at most
     * once.
     */
    public int decodeInto(PayloadDecoder decoder, float[] vector, int at) {
        decoder.start(vector, at);
        forEachPiece(decoder::accept);
        return decoder.finish();
    }

    /** Copies the payload's bytes into {@code bytes} from {@code at}; call at most once. */
    public void copyInto(byte[] bytes, int at) {
        int[] next = {at};
        forEachPiece(
                piece -> {
                    int size = piece.remaining();
                    piece.get(bytes, next[0], size);
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
        if (elements != null) {
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
