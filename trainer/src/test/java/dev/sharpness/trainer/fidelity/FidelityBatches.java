package dev.sharpness.trainer.fidelity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sharpness.trainer.data.Batch;
import dev.sharpness.trainer.export.Safetensors;
import dev.sharpness.trainer.optim.Batches;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * A fixed sequence of minibatches that both implementations train on: batch t is the batch of step
 * t. Each class has a random prototype image and a sample is its prototype plus noise, so the task
 * is learnable and the losses of a batch spread out (K-SAM's selection has clear winners).
 *
 * <p>Written as {@code data.safetensors}: {@code images} (steps, batch, C, H, W) float32 and {@code
 * labels} (steps, batch) int64.
 */
final class FidelityBatches implements Batches<Batch> {
    static final int CHANNELS = 1;
    static final int IMAGE_SIZE = 8;
    static final int CLASSES = 4;

    private final int steps;
    private final int batchSize;
    private final float[] images;
    private final int[] labels;

    FidelityBatches(int steps, int batchSize, long seed) {
        this.steps = steps;
        this.batchSize = batchSize;
        int pixels = CHANNELS * IMAGE_SIZE * IMAGE_SIZE;
        Random random = new Random(seed);
        float[][] prototypes = new float[CLASSES][pixels];
        for (float[] prototype : prototypes) {
            for (int i = 0; i < pixels; i++) {
                prototype[i] = (float) random.nextGaussian();
            }
        }
        int samples = steps * batchSize;
        this.images = new float[samples * pixels];
        this.labels = new int[samples];
        for (int s = 0; s < samples; s++) {
            labels[s] = random.nextInt(CLASSES);
            for (int i = 0; i < pixels; i++) {
                images[s * pixels + i] =
                        (float) (0.5 * prototypes[labels[s]][i] + random.nextGaussian());
            }
        }
    }

    @Override
    public Batch at(long step, NDManager owner) {
        if (step < 0 || step >= steps) {
            throw new IllegalArgumentException("no batch for step " + step);
        }
        int first = Math.toIntExact(step) * batchSize;
        int pixels = CHANNELS * IMAGE_SIZE * IMAGE_SIZE;
        NDArray x =
                owner.create(
                        Arrays.copyOfRange(images, first * pixels, (first + batchSize) * pixels),
                        new Shape(batchSize, CHANNELS, IMAGE_SIZE, IMAGE_SIZE));
        NDArray y = owner.create(Arrays.copyOfRange(labels, first, first + batchSize));
        return new Batch(x, y, IntStream.range(first, first + batchSize).toArray());
    }

    void write(Path file) throws IOException {
        long[] wideLabels = Arrays.stream(labels).asLongStream().toArray();
        new Safetensors()
                .put(
                        "images",
                        Safetensors.Tensor.f32(
                                new long[] {steps, batchSize, CHANNELS, IMAGE_SIZE, IMAGE_SIZE},
                                images))
                .put("labels", Safetensors.Tensor.i64(new long[] {steps, batchSize}, wideLabels))
                .write(file);
    }
}
