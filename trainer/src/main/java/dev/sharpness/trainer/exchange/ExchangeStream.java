package dev.sharpness.trainer.exchange;

import dev.sharpness.api.exchange.v1.Frame;
import dev.sharpness.api.exchange.v1.FrameKind;
import dev.sharpness.trainer.exchange.codec.WireFrame;

/**
 * One of a pair's exchange streams: our sender, the peer's assembler, and the slice of every
 * gradient it carries, elements {@code [from, to)}. Stream i of N carries {@code [i*n/N,
 * (i+1)*n/N)}, so the slices are contiguous and cover the vector whatever n and N.
 */
final class ExchangeStream {
    /** Payload bytes per frame: far below gRPC's 4 MiB message limit. */
    static final int CHUNK_BYTES = 1 << 20;

    private final int index;
    private final int from;
    private final int to;
    private final FrameSender sender;
    private final FrameAssembler inbound;
    private final WirePrecision precision;

    ExchangeStream(
            int index,
            int from,
            int to,
            FrameSender sender,
            FrameAssembler inbound,
            WirePrecision precision) {
        this.index = index;
        this.from = from;
        this.to = to;
        this.sender = sender;
        this.inbound = inbound;
        this.precision = precision;
    }

    /** Where slice {@code index} of {@code count} begins in a vector of {@code length} elements. */
    static int sliceStart(long length, int index, int count) {
        return (int) (length * index / count);
    }

    int index() {
        return index;
    }

    FrameSender sender() {
        return sender;
    }

    FrameAssembler inbound() {
        return inbound;
    }

    /**
     * Sends this stream's slice of {@code mine} (a vector in the wire's format) as the gradient for
     * {@code step}, in chunks, each copied straight into gRPC's buffers as gRPC writes it; an empty
     * slice is one empty chunk.
     *
     * @return the bytes sent (as serialized) and the nanoseconds spent copying them into gRPC's
     *     buffers
     */
    Sent sendGradient(long step, byte[] mine, StepIntent intent, long deadlineNanos) {
        int width = precision.bytesPerElement();
        int perChunk = CHUNK_BYTES / width;
        Sent sent = new Sent(0, 0);
        int offset = from;
        do {
            int count = Math.min(perChunk, to - offset);
            boolean last = offset + count == to;
            Frame fields =
                    Frame.newBuilder()
                            .setStep(step)
                            .setKind(FrameKind.FRAME_KIND_GRADIENT)
                            .setOffset(offset)
                            .setTotal(mine.length / width)
                            .setLast(last)
                            .setCheckpoint(last && intent.checkpoint())
                            .setStop(last && intent.stop())
                            .build();
            WireFrame frame = WireFrame.gradient(fields, mine, offset * width, count * width);
            sender.send(frame, deadlineNanos, "the gradient for step " + step);
            sent = sent.plus(frame.serializedSize(), frame.writeNanos());
            offset += count;
        } while (offset < to);
        return sent;
    }

    /** What sending a slice cost: bytes as serialized, nanoseconds copying into gRPC's buffers. */
    record Sent(long bytes, long encodeNanos) {
        Sent plus(long moreBytes, long moreNanos) {
            return new Sent(bytes + moreBytes, encodeNanos + moreNanos);
        }
    }
}
