package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sharpness.api.v1alpha1.CommunicationSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.optim.Objective;
import dev.sharpness.trainer.optim.Optimizers;
import dev.sharpness.trainer.optim.TrainingMethod;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Training alone: any method, serial SAMPa included; nothing to agree on with anyone. */
final class SingleWorker implements WorkerGroup {
    private final DataType sampaWire;

    /**
     * Serial SAMPa uses its gradients as {@code communication} has its pair's wire carry them:
     * rounded to bfloat16 with {@code precision: bf16}, so that it equals the pair bit for bit.
     */
    SingleWorker(CommunicationSpec communication) {
        this.sampaWire =
                communication.getPrecision() == CommunicationSpec.Precision.BF16
                        ? DataType.BFLOAT16
                        : DataType.FLOAT32;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public boolean writesState() {
        return true;
    }

    @Override
    public TrainingMethod<Batch> method(
            OptimizerSpec spec, Objective<Batch> objective, NDManager owner, long firstSharpStep) {
        return Optimizers.method(spec, objective, owner, firstSharpStep, sampaWire);
    }

    @Override
    public byte[] join(Network network, Supplier<byte[]> resumeState) {
        return new byte[0];
    }

    @Override
    public void beforeStep(boolean checkpointDue, boolean stopAsked, boolean endAnnounced) {}

    @Override
    public void afterStep(long stepsDone, NDManager root) {}

    /** A request that came during the step stops the run now; so does the step's evaluation. */
    @Override
    public Next agree(boolean askedBefore, boolean askedNow, boolean endAnnounced, boolean endNow) {
        if (askedNow) {
            return Next.STOP;
        }
        return endNow ? Next.END : Next.CONTINUE;
    }

    @Override
    public void diverged(long step, String message) {}

    @Override
    public SwapStats exchangeStats() {
        return null;
    }

    @Override
    public Map<String, Double> stepPhaseMillis() {
        return null;
    }

    @Override
    public Optional<SwapPace> pace() {
        return Optional.empty();
    }

    @Override
    public void close() {}
}
