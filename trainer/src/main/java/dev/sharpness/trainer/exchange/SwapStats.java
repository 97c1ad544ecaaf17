package dev.sharpness.trainer.exchange;

import dev.sharpness.trainer.timing.RecentDurations;

/**
 * How the swaps went so far: counts, the bytes this rank sent, and wall times (send and receive
 * together, including waiting for the peer to be ready), with the wall time split into what the
 * peer's lateness cost and what the transfer itself cost.
 *
 * <p>A swap's wall time runs from the call until the peer's whole vector has been received (for a
 * swap {@link PairExchange#begin begun} during the backward pass, from the call that finishes it:
 * what the swap adds to the step). Its <em>peer wait</em> is the part before the peer's first chunk
 * had arrived (zero when it was already here): the peer was still computing, an imbalance between
 * the ranks that no transport can remove. The rest is the <em>transfer</em>: encoding (copying our
 * bytes into gRPC's buffers), handing chunks to the transport, the bytes crossing, and decoding
 * (copying the peer's chunks out of gRPC's buffers as they arrive). The peer wait is measured at
 * the first chunk's arrival, so it includes that one chunk's crossing (1 MiB at most).
 *
 * @param swaps completed swaps
 * @param bytesSent bytes of all frames sent by swaps, as serialized (HTTP/2 framing not counted)
 * @param lastBytesSent bytes sent by the last swap
 * @param lastMillis wall time of the last swap
 * @param meanMillis mean wall time over all swaps
 * @param p99Millis 99th percentile of the wall time over the last {@value RecentDurations#WINDOW}
 *     swaps
 * @param p50Millis median wall time over the last {@value RecentDurations#WINDOW} swaps
 * @param meanPeerWaitMillis mean time a swap waited before the peer's first chunk arrived
 * @param meanTransferMillis mean wall time less the peer wait
 * @param p50TransferMillis median of the same over the last {@value RecentDurations#WINDOW} swaps
 * @param meanSendMillis mean time to encode this rank's vector and hand all of it to the transport
 *     (includes waiting for the transport's flow control)
 * @param meanEncodeMillis mean time spent encoding this rank's vector into frame payloads: its
 *     bytes, already in the wire's format, copied into gRPC's buffers
 * @param meanDecodeMillis mean time spent decoding the peer's payloads: copying them out of gRPC's
 *     buffers into the receive buffer (on the transport's threads)
 * @param bytesSentEarly of {@code bytesSent}, the bytes that went before this rank's vector was
 *     whole: by swaps begun during the backward pass, while the pass computed the rest
 */
public record SwapStats(
        long swaps,
        long bytesSent,
        long lastBytesSent,
        double lastMillis,
        double meanMillis,
        double p99Millis,
        double p50Millis,
        double meanPeerWaitMillis,
        double meanTransferMillis,
        double p50TransferMillis,
        double meanSendMillis,
        double meanEncodeMillis,
        double meanDecodeMillis,
        long bytesSentEarly) {

    /** Stats with only the totals and wall times known (no split). */
    public SwapStats(
            long swaps,
            long bytesSent,
            long lastBytesSent,
            double lastMillis,
            double meanMillis,
            double p99Millis) {
        this(
                swaps,
                bytesSent,
                lastBytesSent,
                lastMillis,
                meanMillis,
                p99Millis,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0);
    }

    /** What one swap took, in nanoseconds. */
    record Sample(
            long bytes,
            long earlyBytes,
            long wall,
            long peerWait,
            long send,
            long encode,
            long decode) {}

    /** Collects the swaps; thread-safe. */
    static final class Recorder {
        private final RecentDurations recent = new RecentDurations();
        private final RecentDurations recentTransfer = new RecentDurations();
        private long swaps;
        private long bytesSent;
        private long bytesSentEarly;
        private long lastBytesSent;
        private long lastNanos;
        private long totalNanos;
        private long peerWaitNanos;
        private long sendNanos;
        private long encodeNanos;
        private long decodeNanos;

        synchronized void record(Sample s) {
            recent.add(s.wall());
            recentTransfer.add(s.wall() - s.peerWait());
            swaps++;
            bytesSent += s.bytes();
            bytesSentEarly += s.earlyBytes();
            lastBytesSent = s.bytes();
            lastNanos = s.wall();
            totalNanos += s.wall();
            peerWaitNanos += s.peerWait();
            sendNanos += s.send();
            encodeNanos += s.encode();
            decodeNanos += s.decode();
        }

        synchronized SwapStats snapshot() {
            if (swaps == 0) {
                return new SwapStats(0, 0, 0, 0, 0, 0);
            }
            return new SwapStats(
                    swaps,
                    bytesSent,
                    lastBytesSent,
                    lastNanos / 1e6,
                    totalNanos / 1e6 / swaps,
                    recent.percentileMillis(0.99),
                    recent.medianMillis(),
                    peerWaitNanos / 1e6 / swaps,
                    (totalNanos - peerWaitNanos) / 1e6 / swaps,
                    recentTransfer.medianMillis(),
                    sendNanos / 1e6 / swaps,
                    encodeNanos / 1e6 / swaps,
                    decodeNanos / 1e6 / swaps,
                    bytesSentEarly);
        }
    }
}
