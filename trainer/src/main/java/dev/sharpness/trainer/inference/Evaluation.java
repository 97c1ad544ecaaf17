package dev.sharpness.trainer.inference;

import dev.sharpness.trainer.data.ImageSet;
import java.util.Arrays;

/**
 * A model's loss, accuracy and confusion matrix on one labelled set, in inference mode.
 *
 * @param loss mean softmax cross-entropy (no label smoothing)
 * @param confusion {@code confusion[truth][predicted]}: how many samples of class truth the model
 *     put in class predicted
 */
public record Evaluation(double loss, long[][] confusion) {
    private static final int BATCH = 500;

    /** Evaluates {@code model} on every sample of {@code set}, in batches. */
    public static Evaluation of(TrainedModel model, ImageSet set) {
        int classes = set.classes();
        long[][] confusion = new long[classes][classes];
        double lossSum = 0;
        int length = set.sampleLength();
        for (int start = 0; start < set.size(); start += BATCH) {
            int n = Math.min(BATCH, set.size() - start);
            float[] pixels = Arrays.copyOfRange(set.pixels(), start * length, (start + n) * length);
            float[] logits = model.logits(pixels, n);
            for (int i = 0; i < n; i++) {
                int label = set.label(start + i);
                lossSum += crossEntropy(logits, i * classes, classes, label);
                confusion[label][argMax(logits, i * classes, classes)]++;
            }
        }
        return new Evaluation(set.size() == 0 ? Double.NaN : lossSum / set.size(), confusion);
    }

    /** Samples evaluated. */
    public long samples() {
        return Arrays.stream(confusion).flatMapToLong(Arrays::stream).sum();
    }

    /** Fraction of samples whose highest logit is their label's. */
    public double accuracy() {
        long correct = 0;
        for (int k = 0; k < confusion.length; k++) {
            correct += confusion[k][k];
        }
        return (double) correct / samples();
    }

    /** Samples of class {@code k}. */
    public long support(int k) {
        return Arrays.stream(confusion[k]).sum();
    }

    /** Accuracy on the samples of class {@code k}; NaN when the set holds none. */
    public double classAccuracy(int k) {
        long n = support(k);
        return n == 0 ? Double.NaN : (double) confusion[k][k] / n;
    }

    /** {@code -log softmax(logits)[label]}, computed stably. */
    static double crossEntropy(float[] logits, int offset, int classes, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            max = Math.max(max, logits[offset + k]);
        }
        double sum = 0;
        for (int k = 0; k < classes; k++) {
            sum += Math.exp(logits[offset + k] - max);
        }
        return max + Math.log(sum) - logits[offset + label];
    }

    /** The first index of the highest value, as PyTorch's argmax. */
    static int argMax(float[] values, int offset, int length) {
        int best = 0;
        for (int k = 1; k < length; k++) {
            if (values[offset + k] > values[offset + best]) {
                best = k;
            }
        }
        return best;
    }
}
