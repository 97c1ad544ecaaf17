package dev.sharpness.api.worker;

import dev.sharpness.api.v1alpha1.ProgressStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What rank 0 reports of a running job when asked ({@code GetProgress}), as plain values: the one
 * shape the wire message is read into, and the one place it becomes the job's {@code
 * status.progress} ({@link #toStatus}). {@link ProgressWire} converts it to and from the wire
 * message.
 *
 * @param trainLoss null before the first step
 * @param trainAccuracy null before the first step
 * @param validationAccuracy null before the first evaluation, or without a validation split
 * @param testAccuracy null before the first evaluation
 * @param pace SAMPa's pass against its swap; null for a single worker and before rank 0 has
 *     measured it
 * @param lastCheckpointStep 0 before the first checkpoint
 * @param lastCheckpointPath the newest checkpoint's file, as the worker sees it ("" if none)
 * @param lastCheckpointTime when it was written, or null
 * @param epochsTotal the spec's epoch count, as the worker read it
 * @param state {@link #STARTING}, {@link #TRAINING} or {@link #FINISHED}
 */
public record ProgressReport(
        int epoch,
        long step,
        long totalSteps,
        Double trainLoss,
        Double trainAccuracy,
        Double validationAccuracy,
        Double testAccuracy,
        double stepsPerSecond,
        double exchangeMillis,
        SwapPace pace,
        long lastCheckpointStep,
        String lastCheckpointPath,
        Instant lastCheckpointTime,
        int epochsTotal,
        String state) {

    /** Before the first step: loading data, building the model, forming the pair, resuming. */
    public static final String STARTING = "Starting";

    public static final String TRAINING = "Training";
    public static final String FINISHED = "Finished";

    /**
     * The job's progress as of {@code readAt}: percent and ETA derived from the steps; {@code
     * lastStepChangeTime} moves only when the step did since {@code previous} (null: none yet), so
     * a stall shows as a time that stands still.
     *
     * @param epochs the spec's epoch count
     */
    public ProgressStatus toStatus(ProgressStatus previous, int epochs, Instant readAt) {
        ProgressStatus p = new ProgressStatus();
        p.setEpoch(epoch);
        p.setEpochs(epochs);
        p.setStep(step);
        p.setTotalSteps(totalSteps);
        if (totalSteps > 0) {
            p.setPercent((int) Math.min(100, step * 100 / totalSteps));
        }
        p.setDisplay(ProgressStatus.display(p));
        if (stepsPerSecond > 0) {
            p.setEtaSeconds(Math.round((totalSteps - step) / stepsPerSecond));
        }
        p.setTrainLoss(trainLoss);
        p.setTrainAccuracy(trainAccuracy);
        p.setValidationAccuracy(validationAccuracy);
        p.setTestAccuracy(testAccuracy);
        p.setStepsPerSecond(stepsPerSecond);
        p.setExchangeMillis(exchangeMillis);
        if (pace != null) {
            p.setGradientPassMillis(pace.gradientPassMillis());
            p.setSwapTransferMillis(pace.swapTransferMillis());
        }
        String at = readAt.truncatedTo(ChronoUnit.SECONDS).toString();
        p.setUpdateTime(at);
        boolean moved = previous == null || !Long.valueOf(step).equals(previous.getStep());
        p.setLastStepChangeTime(moved ? at : previous.getLastStepChangeTime());
        return p;
    }
}
