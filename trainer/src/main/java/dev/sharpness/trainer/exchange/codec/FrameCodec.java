package dev.sharpness.trainer.exchange.codec;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.PairExchangeGrpc;
import io.grpc.Detachable;
import io.grpc.Drainable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;

/**
 * How {@link Frame}s travel on the {@code Exchange} stream: as the protobuf message the .proto
 * declares, byte for byte, but written with the payload as the last field, and read so that a
 * payload in that place is not copied out of gRPC's buffers (see {@link WireFrame}). Protobuf lets
 * fields come in any order, so any peer that writes or parses a {@code Frame} the ordinary way
 * still works with this one: a payload elsewhere is simply parsed the ordinary way.
 *
 * <p>This package is the exchange's own: its types are public only for {@code exchange} itself.
 *
 * <p>Why: the ordinary path copies each payload three times on receipt (out of gRPC's buffers, into
 * a {@link ByteString}, into the vector) and allocates two arrays per chunk; gradients of millions
 * of elements cross every step.
 */
public final class FrameCodec implements MethodDescriptor.Marshaller<WireFrame> {
    public static final FrameCodec INSTANCE = new FrameCodec();

    /** The {@code Exchange} method with frames in this codec; the name and schema are unchanged. */
    public static final MethodDescriptor<WireFrame, WireFrame> EXCHANGE =
            PairExchangeGrpc.getExchangeMethod().toBuilder(INSTANCE, INSTANCE).build();

    /** Fields before the payload are a few numbers: more than this means another writer. */
    private static final int MAX_FIELDS_BYTES = 256;

    private static final MethodDescriptor.Marshaller<Frame> PROTOBUF =
            ProtoUtils.marshaller(Frame.getDefaultInstance());

    static final int PAYLOAD_TAG =
            Frame.PAYLOAD_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private FrameCodec() {}

    @Override
    public InputStream stream(WireFrame frame) {
        if (frame.payloadSize() == 0) {
            return PROTOBUF.stream(frame.fields());
        }
        Frame fields =
                frame.payloadApart()
                        ? frame.fields()
                        : frame.fields().toBuilder().clearPayload().build();
        byte[] head = new byte[frame.serializedSize() - frame.payloadSize()];
        CodedOutputStream out = CodedOutputStream.newInstance(head);
        try {
            fields.writeTo(out);
            out.writeUInt32NoTag(PAYLOAD_TAG);
            out.writeUInt32NoTag(frame.payloadSize());
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a frame's fields", e);
        }
        return new PayloadLast(head, frame);
    }

    /** Writes {@code bytes} to {@code out} from its own array, without a copy. */
    static void writeBytes(ByteString bytes, OutputStream out) throws IOException {
        // ByteString.writeTo(OutputStream) copies the bytes first, to protect them from the stream.
        UnsafeByteOperations.unsafeWriteTo(bytes, new StreamOutput(out));
    }

    @Override
    public WireFrame parse(InputStream stream) {
        try {
            if (stream instanceof KnownLength
                    && stream instanceof Detachable
                    && stream instanceof HasByteBuffer buffers
                    && buffers.byteBufferSupported()) {
                return parseInPlace(stream);
            }
            return WireFrame.of(PROTOBUF.parse(stream));
        } catch (IOException e) {
            throw Status.INTERNAL
                    .withDescription("cannot read a frame: " + e.getMessage())
                    .withCause(e)
                    .asRuntimeException();
        }
    }

    /**
     * Reads the fields up to the payload's tag and length; if the payload is all that is left,
     * leaves it in place, otherwise parses the whole frame the ordinary way.
     */
    private static WireFrame parseInPlace(InputStream stream) throws IOException {
        ByteArrayOutputStream fields = new ByteArrayOutputStream(64);
        while (stream.available() > 0 && fields.size() < MAX_FIELDS_BYTES) {
            int start = fields.size();
            int tag = (int) varint(stream, fields);
            if (tag == PAYLOAD_TAG) {
                int size = (int) varint(stream, fields);
                if (size == stream.available()) {
                    Frame parsed = parseFields(fields.toByteArray(), start);
                    return WireFrame.inPlace(parsed, ((Detachable) stream).detach(), size);
                }
                break;
            }
            skipValue(tag, stream, fields);
        }
        InputStream whole =
                new SequenceInputStream(new ByteArrayInputStream(fields.toByteArray()), stream);
        return WireFrame.of(PROTOBUF.parse(whole));
    }

    /** The frame that {@code bytes} up to {@code end} (the payload's tag) encode. */
    private static Frame parseFields(byte[] bytes, int end) {
        try {
            return Frame.parser().parseFrom(bytes, 0, end);
        } catch (InvalidProtocolBufferException e) {
            throw Status.INTERNAL
                    .withDescription("cannot parse a frame's fields: " + e.getMessage())
                    .asRuntimeException();
        }
    }

    /** Reads a varint, keeping its bytes in {@code seen}. */
    private static long varint(InputStream in, ByteArrayOutputStream seen) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("a frame ended inside a number");
            }
            seen.write(b);
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("a number in a frame is longer than 10 bytes");
    }

    /** Reads the value of a field that is not the payload, keeping its bytes in {@code seen}. */
    private static void skipValue(int tag, InputStream in, ByteArrayOutputStream seen)
            throws IOException {
        int length =
                switch (tag & 7) {
                    case WireFormat.WIRETYPE_VARINT -> {
                        varint(in, seen);
                        yield 0;
                    }
                    case WireFormat.WIRETYPE_FIXED64 -> 8;
                    case WireFormat.WIRETYPE_FIXED32 -> 4;
                    case WireFormat.WIRETYPE_LENGTH_DELIMITED -> (int) varint(in, seen);
                    default ->
                            throw new IOException("a frame has a field of wire type " + (tag & 7));
                };
        if (length < 0 || length > in.available()) {
            throw new IOException("a frame's field is longer than the frame");
        }
        seen.write(in.readNBytes(length));
    }

    /**
     * The encoded fields and the payload's tag and length, then the payload: drained into gRPC's
     * buffers with no copy of the payload on the way, or read like any stream (by a transport that
     * does not drain; then the bytes are gathered in an array first).
     */
    private static final class PayloadLast extends InputStream implements Drainable, KnownLength {
        private final byte[] head;
        private final WireFrame frame;
        private InputStream gathered; // once read rather than drained
        private boolean drained;

        PayloadLast(byte[] head, WireFrame frame) {
            this.head = head;
            this.frame = frame;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            if (gathered != null) {
                return (int) gathered.transferTo(target);
            }
            int size = available();
            drained = true;
            target.write(head);
            frame.writePayload(target);
            return size;
        }

        @Override
        public int available() throws IOException {
            if (gathered != null) {
                return gathered.available();
            }
            return drained ? 0 : head.length + frame.payloadSize();
        }

        @Override
        public int read() throws IOException {
            return gathered().read();
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            return gathered().read(into, offset, length);
        }

        private InputStream gathered() throws IOException {
            if (gathered == null) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(available());
                if (!drained) {
                    bytes.write(head);
                    frame.writePayload(bytes);
                }
                gathered = new ByteArrayInputStream(bytes.toByteArray());
            }
            return gathered;
        }
    }

    /** Protobuf's byte sink over a stream; hands over arrays as they are. */
    private static final class StreamOutput extends ByteOutput {
        private final OutputStream target;

        StreamOutput(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(byte value) throws IOException {
            target.write(value);
        }

        @Override
        public void write(byte[] value, int offset, int length) throws IOException {
            target.write(value, offset, length);
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) throws IOException {
            target.write(value, offset, length);
        }

        @Override
        public void write(ByteBuffer value) throws IOException {
            writeLazy(value);
        }

        @Override
        public void writeLazy(ByteBuffer value) throws IOException {
            if (value.hasArray()) {
                target.write(
                        value.array(), value.arrayOffset() + value.position(), value.remaining());
            } else {
                byte[] bytes = new byte[value.remaining()];
                value.get(bytes);
                target.write(bytes);
            }
        }
    }
}
