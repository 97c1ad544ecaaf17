package dev.sharpness.trainer.training;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.trainer.exchange.SwapStats;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a run, written as {@code summary.json}. {@code parameterChecksum} is the SHA-256
 * of every model tensor's bytes in a fixed order: two runs with equal checksums hold identical
 * models. {@code trainableChecksum} covers the trainable parameters alone: the two ranks of a SAMPa
 * pair hold the same parameters (they compare this checksum as they train) but each its own
 * BatchNorm statistics, so on a model with BatchNorm rank 1's {@code parameterChecksum} differs
 * from rank 0's while their {@code trainableChecksum}s are equal. {@code meanStepMillis} is over
 * all steps of this session (the first ones warm up); {@code medianStepMillis} over its last
 * {@value dev.sharpness.trainer.timing.RecentDurations#WINDOW} steps, robust to warm-up. {@code
 * bestEpoch} counts from 1, as {@code metrics.csv} does, and is the best evaluation by the
 * monitored metric ({@code spec.training.earlyStopping.monitor}, else validation accuracy), a
 * partial last epoch included. {@code earlyStop} is null unless early stopping ended the run.
 * {@code stepPhaseMillis}, for a rank of a SAMPa pair (null otherwise), is where its steps go: the
 * median milliseconds of its gradient pass, flattening, the swap, unflattening and the update over
 * the same recent steps as {@code medianStepMillis}. {@code swapPace}, for rank 0 of a SAMPa pair
 * (null otherwise, and in a session of fewer than a hundred swaps), is its gradient pass against
 * its swap's transfer as it last told them (every hundred steps and at the last step): the pair's
 * swap outlasts its pass when the transfer is at least the pass, and SAM would then be about as
 * fast.
 */
public record RunSummary(
        String job,
        String method,
        String architecture,
        long parameters,
        int workers,
        int epochs,
        long steps,
        boolean stoppedAtMaxSteps,
        EarlyStop earlyStop,
        long sequentialGradientComputations,
        double trainLoss,
        double trainAccuracy,
        Double validationAccuracy,
        double testAccuracy,
        Double bestValidationAccuracy,
        Integer bestEpoch,
        double wallSeconds,
        double stepsPerSecond,
        double meanStepMillis,
        double medianStepMillis,
        String parameterChecksum,
        String trainableChecksum,
        SwapStats exchange,
        Map<String, Double> stepPhaseMillis,
        SwapPace swapPace,
        @JsonIgnore List<EpochMetrics> history) {}
