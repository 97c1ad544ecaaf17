package dev.sharpness.api.worker;

import dev.sharpness.api.v1alpha1.ProgressStatus;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a SAMPa pair computes or waits on its swap, as rank 0 measures it: the medians of its
 * gradient pass and of the swap's transfer over the recent steps. A pair's step is about one pass
 * plus the transfer, SAM's about two passes, so once the transfer takes as long as the pass the
 * pair has lost its reason to exist: SAM on one worker would be about as fast, with half the
 * devices. The trainer prints {@link #warning} and the operator records it as an event; both ask
 * {@link #swapOutlastsPass} the same question.
 *
 * @param gradientPassMillis median of rank 0's gradient pass, its perturbation and the restore of
 *     the parameters included
 * @param swapTransferMillis median of a swap's transfer: the swap less the wait for the peer to
 *     finish its own pass (an imbalance no transport removes)
 */
public record SwapPace(double gradientPassMillis, double swapTransferMillis) {

    public SwapPace {
        if (!sensible(gradientPassMillis, swapTransferMillis)) {
            throw new IllegalArgumentException(
                    "a pace needs a measured pass and transfer, not %s and %s ms"
                            .formatted(gradientPassMillis, swapTransferMillis));
        }
    }

    /**
     * The pace in a job's status, if it holds one that makes sense: a status is written by whoever
     * may patch it, so anything else reads as no pace rather than as an error.
     */
    public static Optional<SwapPace> of(ProgressStatus progress) {
        if (progress == null
                || progress.getGradientPassMillis() == null
                || progress.getSwapTransferMillis() == null) {
            return Optional.empty();
        }
        return ofMillis(progress.getGradientPassMillis(), progress.getSwapTransferMillis());
    }

    /**
     * A pace of these medians if they make sense (a positive pass, a transfer of zero or more, both
     * finite), else empty: for what another process reported.
     */
    public static Optional<SwapPace> ofMillis(
            double gradientPassMillis, double swapTransferMillis) {
        return sensible(gradientPassMillis, swapTransferMillis)
                ? Optional.of(new SwapPace(gradientPassMillis, swapTransferMillis))
                : Optional.empty();
    }

    private static boolean sensible(double gradientPassMillis, double swapTransferMillis) {
        return gradientPassMillis > 0
                && swapTransferMillis >= 0
                && Double.isFinite(gradientPassMillis)
                && Double.isFinite(swapTransferMillis);
    }

    /** The swap's transfer takes at least as long as the gradient pass it follows. */
    public boolean swapOutlastsPass() {
        return swapTransferMillis >= gradientPassMillis;
    }

    /** One sentence for a user who picked SAMPa, saying so and what to try instead. */
    public String warning() {
        return String.format(
                Locale.ROOT,
                "the SAMPa pair's gradient swap takes as long as its gradient pass or longer (median"
                        + " transfer %.1f ms, pass %.1f ms): each step costs about what SAM's two"
                        + " passes cost on one device, so SAM, LookSAM or K-SAM would be about as"
                        + " fast with half the devices; bf16 on the wire"
                        + " (spec.communication.precision) halves the bytes swapped, and a larger"
                        + " CPU request per worker (spec.worker.resources.requests.cpu; one stream"
                        + " per two cores, or spec.communication.streams) gives the swap more"
                        + " streams",
                swapTransferMillis,
                gradientPassMillis);
    }
}
