package dev.sharpness.trainer.exchange;

import java.util.Arrays;

/**
 * How the swaps went so far: counts, the bytes this rank sent, and wall times (send and receive
 * together, including waiting for the peer to be ready).
 *
 * @param swaps completed swaps
 * @param bytesSent bytes of all frames sent by swaps, as serialized (HTTP/2 framing not counted)
 * @param lastBytesSent bytes sent by the last swap
 * @param lastMillis wall time of the last swap
 * @param meanMillis mean wall time over all swaps
 * @param p99Millis 99th percentile of the wall time over the last {@value Recorder#WINDOW} swaps
 */
public record SwapStats(
        long swaps,
        long bytesSent,
        long lastBytesSent,
        double lastMillis,
        double meanMillis,
        double p99Millis) {

    /** Collects the swaps; thread-safe. */
    static final class Recorder {
        static final int WINDOW = 1024;

        private final long[] recentNanos = new long[WINDOW];
        private long swaps;
        private long bytesSent;
        private long lastBytesSent;
        private long lastNanos;
        private long totalNanos;

        synchronized void record(long bytes, long nanos) {
            recentNanos[(int) (swaps % WINDOW)] = nanos;
            swaps++;
            bytesSent += bytes;
            lastBytesSent = bytes;
            lastNanos = nanos;
            totalNanos += nanos;
        }

        synchronized SwapStats snapshot() {
            if (swaps == 0) {
                return new SwapStats(0, 0, 0, 0, 0, 0);
            }
            long[] recent = Arrays.copyOf(recentNanos, (int) Math.min(swaps, WINDOW));
            Arrays.sort(recent);
            long p99 = recent[(int) Math.ceil(0.99 * recent.length) - 1];
            return new SwapStats(
                    swaps,
                    bytesSent,
                    lastBytesSent,
                    lastNanos / 1e6,
                    totalNanos / 1e6 / swaps,
                    p99 / 1e6);
        }
    }
}
