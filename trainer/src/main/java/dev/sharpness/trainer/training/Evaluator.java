package dev.sharpness.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.data.BatchAssembler;
import dev.sharpness.trainer.data.ImageSet;
import dev.sharpness.trainer.data.TrainingData;

/**
 * Loss and accuracy of a network on the test and validation sets, in inference mode (BatchNorm
 * running statistics).
 */
final class Evaluator {
    private static final int BATCH = 500;

    /** Mean loss (no label smoothing) and accuracy. */
    record Result(double loss, double accuracy) {}

    private final Network network;
    private final TrainingData data;
    private final NDManager parent;

    /** {@code parent}: the manager each evaluation batch's sub-manager is opened from. */
    Evaluator(Network network, TrainingData data, NDManager parent) {
        this.network = network;
        this.data = data;
        this.parent = parent;
    }

    Result test() {
        return evaluate(data.test());
    }

    /** Null when the job holds out no validation set. */
    Result validation() {
        return data.validation().size() == 0 ? null : evaluate(data.validation());
    }

    private Result evaluate(ImageSet set) {
        CrossEntropy loss = new CrossEntropy(0, set.classes());
        BatchAssembler assembler = new BatchAssembler(set, false, 0);
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < set.size(); start += BATCH) {
            int[] indices = new int[Math.min(BATCH, set.size() - start)];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = start + i;
            }
            try (NDManager scope = parent.newSubManager()) {
                Batch batch = assembler.assemble(scope, indices, 0, 0);
                NDArray logits = network.logits(batch.images(), false);
                lossSum += loss.perSample(logits, batch.labels()).sum().getFloat();
                correct += CrossEntropy.correct(logits, batch.labels());
            }
        }
        return new Result(lossSum / set.size(), (double) correct / set.size());
    }
}
