package dev.sharpness.trainer.training;

import dev.sharpness.trainer.exchange.proto.Progress;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The latest progress of a run, for the operator's {@code GetProgress}: updated by the training
 * thread, read by the exchange's server threads.
 */
public final class ProgressSnapshot implements ProgressListener {
    private final AtomicReference<Progress> latest =
            new AtomicReference<>(Progress.getDefaultInstance());
    private volatile long totalSteps;
    private volatile long startStep;
    private volatile long startNanos;

    @Override
    public void started(long totalSteps, long startStep) {
        this.totalSteps = totalSteps;
        this.startStep = startStep;
        this.startNanos = System.nanoTime();
        latest.set(latest.get().toBuilder().setStep(startStep).setTotalSteps(totalSteps).build());
    }

    @Override
    public void stepped(long step, int epoch, double loss, double accuracy, double learningRate) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        latest.set(
                latest.get().toBuilder()
                        .setEpoch(epoch)
                        .setStep(step)
                        .setTotalSteps(totalSteps)
                        .setTrainLoss(loss)
                        .setTrainAccuracy(accuracy)
                        .setStepsPerSecond(seconds > 0 ? (step - startStep) / seconds : 0)
                        .build());
    }

    @Override
    public void epochEnded(EpochMetrics m) {
        Progress.Builder p = latest.get().toBuilder().setTestAccuracy(m.testAccuracy());
        if (m.validationAccuracy() != null) {
            p.setValidationAccuracy(m.validationAccuracy());
        }
        latest.set(p.build());
    }

    public Progress get() {
        return latest.get();
    }
}
