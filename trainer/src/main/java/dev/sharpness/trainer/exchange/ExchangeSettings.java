package dev.sharpness.trainer.exchange;

import java.time.Duration;
import java.util.Objects;

/**
 * How one rank runs its side of the exchange.
 *
 * @param precision the gradients' number format on the wire; both ranks must use the same
 * @param timeout how long any wait for the peer lasts at most
 * @param streams how many exchange streams this rank can use, 1 to {@value Streams#MAX}; the pair
 *     uses the fewer of both ranks' numbers
 */
record ExchangeSettings(WirePrecision precision, Duration timeout, int streams) {
    ExchangeSettings {
        Objects.requireNonNull(precision, "precision");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the exchange timeout must be positive: " + timeout);
        }
        if (streams < 1 || streams > Streams.MAX) {
            throw new IllegalArgumentException(
                    "exchange streams must be 1 to " + Streams.MAX + ", not " + streams);
        }
    }

    /**
     * The streams to use with {@code cores} cores: one per two cores, 1 to 8. Each stream keeps
     * about two cores busy during a swap (its event loop copying into and out of the kernel, plus
     * the encoding on the sending thread and the decoding on the callback thread), and a swap runs
     * between gradient passes, when nothing else needs the CPU; beyond 8 the memory bandwidth, not
     * the cores, bounds a 146 MB copy. A 2-core machine keeps one stream, as before there were
     * several.
     */
    static int defaultStreams(int cores) {
        return Math.max(1, Math.min(8, cores / 2));
    }
}
