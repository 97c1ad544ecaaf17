package dev.sharpness.trainer.training;

import dev.sharpness.trainer.exchange.Layout;
import dev.sharpness.trainer.exchange.PairExchange;

/**
 * This process is one rank of a SAMPa pair.
 *
 * @param rank 0 (the x~ rank: writes checkpoints and the run's outputs) or 1 (the y rank)
 * @param connect forms the pair once the model's parameter layout is known
 * @param checksumEverySteps steps between checks that both ranks hold identical parameters
 * @param overlapBackward whether each swap begins while the backward pass computes the rest of the
 *     gradient, sending its top part meanwhile (worth it where the pass runs on a GPU)
 */
public record PairRole(
        int rank, Connector connect, int checksumEverySteps, boolean overlapBackward) {

    /** Forms the pair. */
    @FunctionalInterface
    public interface Connector {
        /**
         * @param resumeState rank 0: the checkpoint rank 1 continues from, as {@link
         *     dev.sharpness.trainer.checkpoint.CheckpointStore#toBytes} encodes it; empty when
         *     starting fresh. Rank 1 ignores it and finds rank 0's in {@link
         *     PairExchange#resumeState()}.
         */
        PairExchange connect(Layout layout, byte[] resumeState);
    }
}
