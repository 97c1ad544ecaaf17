package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Softmax cross-entropy with label smoothing: the target puts {@code 1 - s + s/K} on the label and
 * {@code s/K} on every other class (PyTorch's {@code label_smoothing}).
 */
final class CrossEntropy {
    private final double smoothing;
    private final int classes;

    CrossEntropy(double smoothing, int classes) {
        this.smoothing = smoothing;
        this.classes = classes;
    }

    /**
     * Loss of each sample: logits (N, K) and int labels (N) give (N), {@code -(1 - s) log p_y - (s
     * / K) sum_k log p_k}.
     */
    NDArray perSample(NDArray logits, NDArray labels) {
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray index = labels.toType(DataType.INT64, false).reshape(-1, 1);
        NDArray loss = logProbabilities.gather(index, 1).reshape(-1).neg();
        if (smoothing == 0) {
            return loss;
        }
        NDArray uniform = logProbabilities.sum(new int[] {1}).neg().muli(smoothing / classes);
        return loss.muli(1 - smoothing).addi(uniform);
    }

    /** Samples whose highest logit is the label's. */
    static long correct(NDArray logits, NDArray labels) {
        return logits.argMax(1).eq(labels.toType(DataType.INT64, false)).sum().getLong();
    }
}
