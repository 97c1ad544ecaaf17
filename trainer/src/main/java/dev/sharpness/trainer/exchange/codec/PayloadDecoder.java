package dev.sharpness.trainer.exchange.codec;

import dev.sharpness.trainer.exchange.ExchangeProtocolException;
import dev.sharpness.trainer.exchange.WirePrecision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * Turns payloads, handed over in pieces of any size as the transport cut them, into elements of a
 * vector. An element may straddle two pieces: its first bytes wait in {@code carry} for the rest.
 * One decoder serves a whole stream, payload after payload ({@link #start}), so receiving a vector
 * allocates nothing per frame. Not thread-safe: one stream's frames arrive one at a time.
 */
public final class PayloadDecoder {
    /** bf16 elements taken from the transport's buffers at a time: small enough to stay cached. */
    private static final int HALVES = 4096;

    private final WirePrecision precision;
    private final ByteBuffer carry;
    private final short[] halves;
    private float[] vector;
    private int from;
    private int next;

    public PayloadDecoder(WirePrecision precision) {
        this.precision = precision;
        this.carry =
                ByteBuffer.allocate(precision.bytesPerElement()).order(ByteOrder.LITTLE_ENDIAN);
        this.halves = precision == WirePrecision.BF16 ? new short[HALVES] : null;
    }

    /** Begins a payload whose first element goes to {@code vector[at]}. */
    void start(float[] vector, int at) {
        this.vector = vector;
        this.from = at;
        this.next = at;
        carry.clear();
    }

    /** Decodes what {@code piece} holds from its position to its limit. */
    void accept(ByteBuffer piece) {
        piece.order(ByteOrder.LITTLE_ENDIAN);
        if (carry.position() > 0) {
            while (carry.hasRemaining() && piece.hasRemaining()) {
                carry.put(piece.get());
            }
            if (carry.hasRemaining()) {
                return;
            }
            decode(carry.flip());
            carry.clear();
        }
        decode(piece);
        carry.put(piece); // fewer bytes than one element
    }

    /** The number of elements the payload held. */
    int finish() {
        if (carry.position() > 0) {
            throw new ExchangeProtocolException(
                    "a payload ended inside an element: %d bytes of %d"
                            .formatted(carry.position(), precision.bytesPerElement()));
        }
        vector = null;
        return next - from;
    }

    /** Decodes the whole elements of {@code bytes}, leaving the rest of an element there. */
    private void decode(ByteBuffer bytes) {
        int count = bytes.remaining() / precision.bytesPerElement();
        if (precision == WirePrecision.FP32) {
            bytes.asFloatBuffer().get(vector, next, count);
            bytes.position(bytes.position() + 4 * count);
        } else {
            // In bulk through a small array: per-element getShort on gRPC's direct buffers takes
            // about half as long again.
            ShortBuffer shorts = bytes.asShortBuffer();
            for (int done = 0; done < count; ) {
                int run = Math.min(HALVES, count - done);
                shorts.get(halves, 0, run);
                Bf16.widen(halves, run, vector, next + done);
                done += run;
            }
            bytes.position(bytes.position() + 2 * count);
        }
        next += count;
    }
}
