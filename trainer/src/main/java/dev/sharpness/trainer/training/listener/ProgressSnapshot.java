package dev.sharpness.trainer.training.listener;

import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.worker.ProgressReport;
import dev.sharpness.api.worker.ProgressWire;
import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.exchange.SwapStats;
import dev.sharpness.trainer.training.EpochMetrics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The latest progress of a run, for the operator's {@code GetProgress}: updated by the training
 * thread, read by the exchange's server threads as a {@link ProgressReport} written to the wire by
 * the contract's one converter ({@link ProgressWire}). The exchange time is read when asked.
 */
public final class ProgressSnapshot implements ProgressListener {
    private final int epochsTotal;
    private volatile Supplier<SwapStats> exchange;
    private long startNanos;
    private long startStep;
    private String state = ProgressReport.STARTING;
    private int epoch;
    private long step;
    private long totalSteps;
    private Double trainLoss;
    private Double trainAccuracy;
    private Double validationAccuracy;
    private Double testAccuracy;
    private double stepsPerSecond;
    private long lastCheckpointStep;
    private String lastCheckpointPath = "";
    private Instant lastCheckpointTime;
    private SwapPace pace;

    /** {@code epochs}: the spec's epoch count, reported from the start. */
    public ProgressSnapshot(int epochs) {
        this.epochsTotal = epochs;
    }

    @Override
    public synchronized void started(long totalSteps, long startStep) {
        this.totalSteps = totalSteps;
        this.startStep = startStep;
        this.startNanos = System.nanoTime();
        this.step = startStep;
        this.state = ProgressReport.TRAINING;
    }

    @Override
    public synchronized void stepped(StepReport report) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        epoch = report.epoch();
        step = report.step();
        trainLoss = report.loss();
        trainAccuracy = report.accuracy();
        stepsPerSecond = seconds > 0 ? (report.step() - startStep) / seconds : 0;
    }

    @Override
    public synchronized void epochEnded(EpochMetrics m) {
        testAccuracy = m.testAccuracy();
        if (m.validationAccuracy() != null) {
            validationAccuracy = m.validationAccuracy();
        }
    }

    @Override
    public synchronized void checkpointed(long step, Path file, long unixMillis) {
        lastCheckpointStep = step;
        lastCheckpointPath = file.toString();
        lastCheckpointTime = Instant.ofEpochMilli(unixMillis);
    }

    @Override
    public void paired(Supplier<SwapStats> exchange) {
        this.exchange = exchange;
    }

    @Override
    public synchronized void paced(SwapPace pace) {
        this.pace = pace;
    }

    @Override
    public synchronized void finished() {
        state = ProgressReport.FINISHED;
    }

    /** The progress as of now, as GetProgress answers it. */
    public Progress get() {
        return ProgressWire.write(report());
    }

    /** The progress as of now. */
    public ProgressReport report() {
        Supplier<SwapStats> swaps = exchange;
        double exchangeMillis = swaps == null ? 0 : swaps.get().meanMillis();
        synchronized (this) {
            return new ProgressReport(
                    epoch,
                    step,
                    totalSteps,
                    trainLoss,
                    trainAccuracy,
                    validationAccuracy,
                    testAccuracy,
                    stepsPerSecond,
                    exchangeMillis,
                    pace,
                    lastCheckpointStep,
                    lastCheckpointPath,
                    lastCheckpointTime,
                    epochsTotal,
                    state);
        }
    }
}
