package dev.sharpness.trainer.training;

import java.util.List;

/**
 * Where a run stands, saved in every checkpoint beside the tensors: the next batch to train, the
 * running sums of the epoch in progress, and the history that {@code metrics.csv} is made from.
 *
 * @param specHash hash of the training-defining spec; a checkpoint of another spec is refused
 * @param epoch the epoch in progress
 * @param batchInEpoch the next batch of that epoch to train
 * @param bestEpoch with {@code bestValidationAccuracy}, the best evaluation for a reader of the
 *     file; a resumed run finds it again from {@code history} ({@link MetricWatch})
 */
record RunPosition(
        String specHash,
        int epoch,
        int batchInEpoch,
        long sequentialGradients,
        double epochLossSum,
        long epochCorrect,
        long epochSamples,
        double wallSeconds,
        Double bestValidationAccuracy,
        Integer bestEpoch,
        List<EpochMetrics> history) {}
