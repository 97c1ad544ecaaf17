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
     * {@code step}, in chunks from the slice's end towards its start, each as far down as {@code
     * readiness} says the elements are final (a whole chunk when they are), each copied straight
     * into gRPC's buffers as gRPC writes it; an empty slice is one empty chunk. Stream 0's last
     * chunk carries the step's intent.
     *
     * @return the bytes sent (as serialized), of them those sent before the whole vector was final,
     *     and the nanoseconds spent copying them into gRPC's buffers
     * @throws PeerLostException if the deadline passes before the chunks are final and taken
     */
    Sent sendGradient(long step, byte[] mine, Readiness readiness, long deadlineNanos) {
        int width = precision.bytesPerElement();
        int perChunk = CHUNK_BYTES / width;
        Sent sent = Sent.NOTHING;
        int end = to;
        do {
            // What is final of the next chunk goes once some of it is (all of an empty slice): a
            // backward pass's cut need not fall on a chunk's edge.
            long mark = awaitFinal(readiness, Math.max(from, end - 1), step, deadlineNanos);
            int offset = (int) Math.max(Math.max(from, end - perChunk), mark);
            boolean last = offset == from;
            StepIntent intent = last && index == 0 ? readiness.intent() : StepIntent.NONE;
            Frame fields =
                    Frame.newBuilder()
                            .setStep(step)
                            .setKind(FrameKind.FRAME_KIND_GRADIENT)
                            .setOffset(offset)
                            .setTotal(mine.length / width)
                            .setLast(last)
                            .setCheckpoint(intent.checkpoint())
                            .setStop(intent.stop())
                            .build();
            WireFrame frame =
                    WireFrame.gradient(fields, mine, offset * width, (end - offset) * width);
            boolean early = mark > 0; // cut before the whole vector was final
            sender.send(frame, deadlineNanos, "the gradient for step " + step);
            long size = frame.serializedSize();
            sent = sent.plus(new Sent(size, early ? size : 0, frame.writeNanos()));
            end = offset;
        } while (end > from);
        return sent;
    }

    /** The mark once {@code element} is final ({@link Readiness#awaitFinal}). */
    private static long awaitFinal(
            Readiness readiness, int element, long step, long deadlineNanos) {
        try {
            long mark = readiness.awaitFinal(element, deadlineNanos);
            if (mark == Readiness.GIVEN_UP) {
                throw new PeerLostException(
                        "the gradient for step %d was not sent: %s"
                                .formatted(
                                        step,
                                        System.nanoTime() < deadlineNanos
                                                ? "the swap was given up"
                                                : "it was not final before the exchange's timeout"));
            }
            return mark;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerLostException(
                    "interrupted while the gradient for step " + step + " was not final");
        }
    }

    /**
     * What sending a slice cost: bytes as serialized, of them the bytes that went before the whole
     * vector was final (during the backward pass), and nanoseconds copying into gRPC's buffers.
     */
    record Sent(long bytes, long earlyBytes, long encodeNanos) {
        static final Sent NOTHING = new Sent(0, 0, 0);

        Sent plus(Sent more) {
            return new Sent(
                    bytes + more.bytes,
                    earlyBytes + more.earlyBytes,
                    encodeNanos + more.encodeNanos);
        }
    }
}
