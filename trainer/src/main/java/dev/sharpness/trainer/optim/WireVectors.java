package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A SAMPa gradient as the pair exchange carries it: the vector's tensors in order, each element a
 * float32 or, for half the bytes, a bfloat16 ({@link Bf16}), little-endian. The exchange only moves
 * bytes; this is where a gradient becomes them and where the peer's become tensors again.
 *
 * <p>Float32: sending copies each tensor's bytes straight from its memory into one array, reused
 * every step; receiving makes tensors that view the exchange's buffer where the peer's bytes
 * landed, with no copy. Bfloat16: both directions convert in one pass each, through small arrays
 * that stay in the cache, into native buffers reused every step that the tensors then view; the
 * rank's own gradient is rounded and widened in the same pass, since its peer steps along the
 * rounded one.
 *
 * <p>The tensors of one step stay valid until the next step's call: the caller must be done with
 * them by then (a SAMPa step uses the swapped gradients within the step and keeps only copies).
 */
final class WireVectors {
    /** Elements converted at a time: small enough for the scratch arrays to stay in the cache. */
    private static final int PIECE = 4096;

    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final DataType wire;
    private final float[] floats;
    private final short[] halves;
    private byte[] outgoing; // our vector as sent, reused every step
    private ByteBuffer ownWidened; // bf16: our vector as sent, back in float32
    private ByteBuffer peerWidened; // bf16: the peer's vector in float32

    /** Our vector's bytes to send, and the vector as the peer will have it. */
    record Outgoing(byte[] bytes, ParamVector asSent) {}

    WireVectors(DataType wire) {
        if (wire != DataType.FLOAT32 && wire != DataType.BFLOAT16) {
            throw new IllegalArgumentException(
                    "gradients cross as float32 or bfloat16, not " + wire);
        }
        // Tensors read their memory in the machine's byte order; the wire's is little-endian.
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("the pair exchange needs a little-endian machine");
        }
        this.wire = wire;
        this.floats = wire == DataType.BFLOAT16 ? new float[PIECE] : null;
        this.halves = wire == DataType.BFLOAT16 ? new short[PIECE] : null;
    }

    /**
     * {@code mine} (float32 tensors) in the wire's bytes, in an array the next call overwrites, and
     * as sent: {@code mine} itself on a float32 wire, else its rounded values as tensors owned by
     * {@code scope}.
     */
    Outgoing write(ParamVector mine, NDManager scope) {
        long elements = mine.elementCount();
        int size = Math.toIntExact(elements * wire.getNumOfBytes());
        if (outgoing == null || outgoing.length != size) {
            outgoing = new byte[size];
        }
        if (wire == DataType.FLOAT32) {
            int at = 0;
            for (NDArray t : mine.tensors()) {
                // A view of the tensor's own memory: toByteBuffer() would copy it into a fresh
                // array.
                ByteBuffer bytes = t.toByteBuffer(true);
                int n = bytes.remaining();
                bytes.get(outgoing, at, n);
                at += n;
            }
            return new Outgoing(outgoing, mine);
        }
        ownWidened = floatBuffer(ownWidened, elements);
        FloatBuffer widened = ownWidened.asFloatBuffer();
        int at = 0;
        for (NDArray t : mine.tensors()) {
            FloatBuffer values =
                    t.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
            while (values.hasRemaining()) {
                int n = Math.min(PIECE, values.remaining());
                values.get(floats, 0, n);
                for (int i = 0; i < n; i++) {
                    short half = Bf16.round(floats[i]);
                    SHORT_LE.set(outgoing, 2 * (at + i), half);
                    floats[i] = Bf16.widen(half);
                }
                widened.put(at, floats, 0, n);
                at += n;
            }
        }
        return new Outgoing(outgoing, views(ownWidened, mine, scope));
    }

    /**
     * The peer's vector {@code received} (in the wire's format, from its position to its limit) as
     * float32 tensors shaped like {@code like}, owned by {@code scope}. On a float32 wire the
     * tensors view {@code received}'s memory (when it is direct): they are valid as long as it is.
     *
     * @throws IllegalArgumentException if the size does not fit the model
     */
    ParamVector read(ByteBuffer received, ParamVector like, NDManager scope) {
        long elements = like.elementCount();
        long expected = elements * wire.getNumOfBytes();
        if (received.remaining() != expected) {
            throw new IllegalArgumentException(
                    "the peer sent %d bytes; the model's %d values take %d as %s"
                            .formatted(received.remaining(), elements, expected, wire));
        }
        if (wire == DataType.FLOAT32) {
            return views(received.slice(), like, scope);
        }
        peerWidened = floatBuffer(peerWidened, elements);
        FloatBuffer widened = peerWidened.asFloatBuffer();
        ShortBuffer bits = received.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        for (int at = 0; bits.hasRemaining(); ) {
            int n = Math.min(PIECE, bits.remaining());
            bits.get(halves, 0, n);
            for (int i = 0; i < n; i++) {
                floats[i] = Bf16.widen(halves[i]);
            }
            widened.put(at, floats, 0, n);
            at += n;
        }
        return views(peerWidened, like, scope);
    }

    /** Float32 tensors shaped like {@code like} over {@code memory}, from its start. */
    private static ParamVector views(ByteBuffer memory, ParamVector like, NDManager scope) {
        List<NDArray> tensors = new ArrayList<>(like.size());
        int at = 0;
        for (NDArray t : like.tensors()) {
            int bytes = Math.toIntExact(t.size() * Float.BYTES);
            ByteBuffer slice = memory.slice(at, bytes).order(ByteOrder.nativeOrder());
            tensors.add(scope.create(slice, t.getShape(), DataType.FLOAT32));
            at += bytes;
        }
        return new ParamVector(tensors);
    }

    /** {@code kept} if it holds {@code elements} floats, else a fresh native buffer that does. */
    private static ByteBuffer floatBuffer(ByteBuffer kept, long elements) {
        int size = Math.toIntExact(elements * Float.BYTES);
        if (kept != null && kept.capacity() == size) {
            return kept;
        }
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }
}
