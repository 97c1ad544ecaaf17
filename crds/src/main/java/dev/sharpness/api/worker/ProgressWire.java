package dev.sharpness.api.worker;

import dev.sharpness.api.exchange.v1.Progress;
import java.time.Instant;

/**
 * The one conversion between {@link ProgressReport} and GetProgress's wire message: the trainer
 * writes its report with {@link #write}, the operator reads the answer with {@link #read}. A
 * measurement not yet taken (null) is absent on the wire, and absent reads back as null.
 */
public final class ProgressWire {
    private ProgressWire() {}

    /** The message rank 0 answers GetProgress with. */
    public static Progress write(ProgressReport r) {
        Progress.Builder p =
                Progress.newBuilder()
                        .setEpoch(r.epoch())
                        .setStep(r.step())
                        .setTotalSteps(r.totalSteps())
                        .setStepsPerSecond(r.stepsPerSecond())
                        .setExchangeMillis(r.exchangeMillis())
                        .setLastCheckpointStep(r.lastCheckpointStep())
                        .setLastCheckpointPath(r.lastCheckpointPath())
                        .setEpochsTotal(r.epochsTotal())
                        .setState(r.state());
        if (r.trainLoss() != null) {
            p.setTrainLoss(r.trainLoss());
        }
        if (r.trainAccuracy() != null) {
            p.setTrainAccuracy(r.trainAccuracy());
        }
        if (r.validationAccuracy() != null) {
            p.setValidationAccuracy(r.validationAccuracy());
        }
        if (r.testAccuracy() != null) {
            p.setTestAccuracy(r.testAccuracy());
        }
        if (r.pace() != null) {
            p.setGradientPassMillis(r.pace().gradientPassMillis());
            p.setSwapTransferMillis(r.pace().swapTransferMillis());
        }
        if (r.lastCheckpointTime() != null) {
            p.setLastCheckpointUnixMillis(r.lastCheckpointTime().toEpochMilli());
        }
        return p.build();
    }

    /** What a GetProgress answer says; a pace that makes no sense (a pass of 0, a NaN) is none. */
    public static ProgressReport read(Progress p) {
        return new ProgressReport(
                p.getEpoch(),
                p.getStep(),
                p.getTotalSteps(),
                p.hasTrainLoss() ? p.getTrainLoss() : null,
                p.hasTrainAccuracy() ? p.getTrainAccuracy() : null,
                p.hasValidationAccuracy() ? p.getValidationAccuracy() : null,
                p.hasTestAccuracy() ? p.getTestAccuracy() : null,
                p.getStepsPerSecond(),
                p.getExchangeMillis(),
                p.hasGradientPassMillis() && p.hasSwapTransferMillis()
                        ? SwapPace.ofMillis(p.getGradientPassMillis(), p.getSwapTransferMillis())
                                .orElse(null)
                        : null,
                p.getLastCheckpointStep(),
                p.getLastCheckpointPath(),
                p.getLastCheckpointUnixMillis() > 0
                        ? Instant.ofEpochMilli(p.getLastCheckpointUnixMillis())
                        : null,
                p.getEpochsTotal(),
                p.getState());
    }
}
