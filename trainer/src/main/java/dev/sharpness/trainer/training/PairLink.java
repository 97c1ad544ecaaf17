package dev.sharpness.trainer.training;

import ai.djl.ndarray.types.DataType;
import dev.sharpness.trainer.exchange.PairExchange;
import dev.sharpness.trainer.exchange.StepIntent;
import dev.sharpness.trainer.exchange.Swapped;
import dev.sharpness.trainer.exchange.WirePrecision;
import dev.sharpness.trainer.optim.GradientSwap;
import java.nio.ByteBuffer;

/**
 * The pair exchange as one rank's loop and optimizer see it. The optimizer swaps gradients; the
 * loop says beforehand what this rank does after the step ({@link #intend}) and learns the peer's
 * intent from the same swap. The exchange is opened after the optimizer is built: rank 0 must
 * restore its checkpoint before it can hand the state to rank 1.
 */
final class PairLink implements GradientSwap, AutoCloseable {
    private final int rank;
    private PairExchange exchange;
    private StepIntent mine = StepIntent.NONE;
    private StepIntent theirs = StepIntent.NONE;

    PairLink(int rank) {
        this.rank = rank;
    }

    void open(PairExchange exchange) {
        this.exchange = exchange;
    }

    PairExchange exchange() {
        return exchange;
    }

    /** This rank's intent for the coming step. */
    void intend(StepIntent intent) {
        this.mine = intent;
    }

    /** The peer's intent for the step just swapped. */
    StepIntent peer() {
        return theirs;
    }

    /**
     * Whether rank 0 announced with the step just swapped that early stopping ends the run after
     * it: a stop without the checkpoint flag, which a stop asked for never carries from rank 0.
     */
    boolean endAnnounced() {
        StepIntent rankZero = rank == 0 ? mine : theirs;
        return rankZero.stop() && !rankZero.checkpoint();
    }

    /** Whether rank 1's state goes to rank 0 after the step just swapped. */
    boolean stateFollows() {
        return rank == 0
                ? StepIntent.stateFollows(mine, theirs)
                : StepIntent.stateFollows(theirs, mine);
    }

    @Override
    public DataType wireType() {
        return exchange.precision() == WirePrecision.FP32 ? DataType.FLOAT32 : DataType.BFLOAT16;
    }

    @Override
    public ByteBuffer swap(long step, byte[] gradient) {
        Swapped swapped = exchange.swap(step, gradient, mine);
        theirs = swapped.intent();
        return swapped.gradient();
    }

    @Override
    public Begun begin(long step, byte[] gradient) {
        PairExchange.PendingSwap pending = exchange.begin(step, gradient);
        return new Begun() {
            @Override
            public void finalFrom(long element) {
                pending.finalFrom(element);
            }

            @Override
            public ByteBuffer finish() {
                Swapped swapped = pending.finish(mine);
                theirs = swapped.intent();
                return swapped.gradient();
            }
        };
    }

    @Override
    public void close() {
        if (exchange != null) {
            exchange.close();
        }
    }
}
