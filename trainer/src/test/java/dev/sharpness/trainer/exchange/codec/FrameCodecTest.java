package dev.sharpness.trainer.exchange.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.FrameKind;
import dev.sharpness.trainer.exchange.Vectors;
import io.grpc.Drainable;
import io.grpc.internal.CompositeReadableBuffer;
import io.grpc.internal.ReadableBuffers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The exchange's own framing is protobuf's {@code Frame}, byte for byte, whichever side wrote it;
 * and a payload copied out in place, from buffers cut anywhere (as the transport cuts them), gives
 * the vector's bytes exactly. Streams are gRPC's own buffer streams, as the transport hands them
 * over.
 */
class FrameCodecTest {
    private static final Frame FIELDS =
            Frame.newBuilder()
                    .setStep(300_000_000_000L)
                    .setKind(FrameKind.FRAME_KIND_GRADIENT)
                    .setOffset(262_144)
                    .setTotal(1_020_000)
                    .setLast(true)
                    .setCheckpoint(true)
                    .build();

    @Test
    void aGradientFrameIsTheProtobufFrameWithItsPayloadLast() throws Exception {
        byte[] vector = Vectors.bytes(Vectors.randomBits(20_000, 1));
        WireFrame frame = WireFrame.gradient(FIELDS, vector, 12, 40_000);
        byte[] wire = written(frame);

        Frame parsed = Frame.parseFrom(wire);
        assertThat(parsed.toBuilder().clearPayload().build()).isEqualTo(FIELDS);
        byte[] expected = Arrays.copyOfRange(vector, 12, 40_012);
        assertThat(parsed.getPayload().toByteArray()).isEqualTo(expected);
        assertThat(wire).hasSize(frame.serializedSize());
        byte[] tail = Arrays.copyOfRange(wire, wire.length - expected.length, wire.length);
        assertThat(tail).isEqualTo(expected);
    }

    @Test
    void aPayloadInPlaceIsCopiedExactlyWhereverTheTransportCutsIt() throws Exception {
        byte[] vector = Vectors.bytes(Vectors.randomBits(5_000, 2));
        byte[] wire = written(WireFrame.gradient(FIELDS, vector, 0, vector.length));
        for (int piece : new int[] {1, 2, 3, 5, 7, 16_384, wire.length}) {
            try (WireFrame frame = FrameCodec.INSTANCE.parse(transportStream(wire, piece))) {
                assertThat(frame.payloadApart()).isTrue();
                assertThat(frame.fields()).isEqualTo(FIELDS);
                ByteBuffer target = ByteBuffer.allocateDirect(vector.length + 10);
                frame.copyInto(target, 3);
                byte[] copied = new byte[target.capacity()];
                target.get(copied);
                assertThat(Arrays.copyOfRange(copied, 3, 3 + vector.length)).isEqualTo(vector);
                assertThat(Arrays.copyOfRange(copied, 0, 3)).containsOnly(0);
                assertThat(Arrays.copyOfRange(copied, 3 + vector.length, copied.length))
                        .containsOnly(0);
            }
        }
    }

    @Test
    void aFrameFromAnOrdinaryProtobufWriterIsReadTheOrdinaryWay() throws Exception {
        // Protobuf writes fields in number order: the payload (5) comes before last (6).
        byte[] payload = new byte[4_000];
        new Random(7).nextBytes(payload);
        Frame frame = FIELDS.toBuilder().setPayload(ByteString.copyFrom(payload)).build();
        byte[] wire = frame.toByteArray();

        for (InputStream stream :
                new InputStream[] {transportStream(wire, 1_000), new ByteArrayInputStream(wire)}) {
            try (WireFrame parsed = FrameCodec.INSTANCE.parse(stream)) {
                assertThat(parsed.fields()).isEqualTo(frame);
                byte[] copied = new byte[payload.length];
                parsed.copyInto(ByteBuffer.wrap(copied), 0);
                assertThat(copied).isEqualTo(payload);
            }
        }
    }

    @Test
    void framesWithoutAPayloadAndWholeFramesRoundTrip() throws Exception {
        Frame checksum =
                Frame.newBuilder()
                        .setStep(9)
                        .setKind(FrameKind.FRAME_KIND_CHECKSUM)
                        .setTotal(3)
                        .setPayload(ByteString.copyFrom(new byte[] {1, 2, 3}))
                        .setLast(true)
                        .build();
        for (Frame frame : new Frame[] {checksum, Frame.newBuilder().setStep(4).build()}) {
            byte[] wire = written(WireFrame.of(frame));
            assertThat(Frame.parseFrom(wire)).isEqualTo(frame);
            try (WireFrame parsed = FrameCodec.INSTANCE.parse(transportStream(wire, 2))) {
                byte[] copied = new byte[parsed.payloadSize()];
                parsed.copyInto(ByteBuffer.wrap(copied), 0);
                Frame whole =
                        parsed.fields().toBuilder().setPayload(ByteString.copyFrom(copied)).build();
                assertThat(whole).isEqualTo(frame);
            }
        }
    }

    @Test
    void aStreamThatIsReadRatherThanDrainedGivesTheSameBytes() throws Exception {
        byte[] vector = Vectors.bytes(Vectors.randomBits(100, 3));
        WireFrame frame = WireFrame.gradient(FIELDS, vector, 0, vector.length);
        byte[] drained = written(frame);
        byte[] read = FrameCodec.INSTANCE.stream(frame).readAllBytes();
        assertThat(read).isEqualTo(drained);
    }

    /** What gRPC's framer writes for {@code frame}: the codec's stream drained. */
    private static byte[] written(WireFrame frame) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ((Drainable) FrameCodec.INSTANCE.stream(frame)).drainTo(out);
        return out.toByteArray();
    }

    /** {@code bytes} as gRPC hands a message to a marshaller: in buffers of {@code piece}. */
    private static InputStream transportStream(byte[] bytes, int piece) {
        CompositeReadableBuffer buffers = new CompositeReadableBuffer();
        for (int at = 0; at < bytes.length; at += piece) {
            int size = Math.min(piece, bytes.length - at);
            ByteBuffer direct = ByteBuffer.allocateDirect(size).put(bytes, at, size).flip();
            buffers.addBuffer(ReadableBuffers.wrap(direct));
        }
        return ReadableBuffers.openStream(buffers, true);
    }
}
