package dev.sharpness.trainer.training.listener;

import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.exchange.proto.Progress;
import dev.sharpness.trainer.training.EpochMetrics;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The latest progress of a run, for the operator's {@code GetProgress}: updated by the training
 * thread, read by the exchange's server threads. The exchange time is read when asked.
 */
public final class ProgressSnapshot implements ProgressListener {
    /** {@link Progress#getState()} before the first step: data, model, pair, resume. */
    public static final String STARTING = "Starting";

    public static final String TRAINING = "Training";
    public static final String FINISHED = "Finished";

    private final AtomicReference<Progress> latest;
    private volatile Supplier<SwapStats> exchange;
    private volatile long totalSteps;
    private volatile long startStep;
    private volatile long startNanos;

    /** {@code epochs}: the spec's epoch count, reported from the start. */
    public ProgressSnapshot(int epochs) {
        latest =
                new AtomicReference<>(
                        Progress.newBuilder().setEpochsTotal(epochs).setState(STARTING).build());
    }

    @Override
    public void started(long totalSteps, long startStep) {
        this.totalSteps = totalSteps;
        this.startStep = startStep;
        this.startNanos = System.nanoTime();
        update(p -> p.setStep(startStep).setTotalSteps(totalSteps).setState(TRAINING));
    }

    @Override
    public void stepped(StepReport report) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        update(
                p ->
                        p.setEpoch(report.epoch())
                                .setStep(report.step())
                                .setTotalSteps(totalSteps)
                                .setTrainLoss(report.loss())
                                .setTrainAccuracy(report.accuracy())
                                .setStepsPerSecond(
                                        seconds > 0 ? (report.step() - startStep) / seconds : 0));
    }

    @Override
    public void epochEnded(EpochMetrics m) {
        update(
                p -> {
                    p.setTestAccuracy(m.testAccuracy());
                    if (m.validationAccuracy() != null) {
                        p.setValidationAccuracy(m.validationAccuracy());
                    }
                    return p;
                });
    }

    @Override
    public void checkpointed(long step, Path file, long unixMillis) {
        update(
                p ->
                        p.setLastCheckpointStep(step)
                                .setLastCheckpointPath(file.toString())
                                .setLastCheckpointUnixMillis(unixMillis));
    }

    @Override
    public void paired(Supplier<SwapStats> exchange) {
        this.exchange = exchange;
    }

    @Override
    public void finished() {
        update(p -> p.setState(FINISHED));
    }

    /** The progress as of now. */
    public Progress get() {
        Progress p = latest.get();
        Supplier<SwapStats> swaps = exchange;
        return swaps == null
                ? p
                : p.toBuilder().setExchangeMillis(swaps.get().meanMillis()).build();
    }

    private void update(UnaryOperator<Progress.Builder> change) {
        latest.updateAndGet(p -> change.apply(p.toBuilder()).build());
    }
}
