package dev.sharpness.trainer.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sharpness.api.v1alpha1.DatasetSpec;
import java.util.SplittableRandom;

/**
 * Copies samples into a device batch, applying the standard augmentation when asked: zero-pad by 4,
 * crop back at a random offset, flip left-right with probability 1/2. The randomness of each sample
 * is a pure function of (seed, epoch, step, sample index), so the same step always sees the same
 * pixels.
 */
public final class BatchAssembler {
    static final int PAD = 4;

    private final ImageSet set;
    private final boolean augment;
    private final long seed;

    public BatchAssembler(ImageSet set, boolean augment, long seed) {
        this.set = set;
        this.augment = augment;
        this.seed = seed;
    }

    /** Whether the spec asks for augmentation: {@code auto} means on for CIFAR only. */
    public static boolean augmentationOn(DatasetSpec spec) {
        return switch (spec.getAugmentation()) {
            case STANDARD -> true;
            case NONE -> false;
            case AUTO ->
                    spec.getFormat() == DatasetSpec.Format.CIFAR10
                            || spec.getFormat() == DatasetSpec.Format.CIFAR100;
        };
    }

    /** The batch of {@code indices}, its arrays owned by {@code manager}. */
    public Batch assemble(NDManager manager, int[] indices, int epoch, long step) {
        int n = set.sampleLength();
        float[] pixels = new float[indices.length * n];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int sample = indices[i];
            labels[i] = set.label(sample);
            if (augment) {
                SplittableRandom random =
                        new SplittableRandom(Seeds.mix(seed, 0xA06L, epoch, step, sample));
                int dy = random.nextInt(2 * PAD + 1) - PAD;
                int dx = random.nextInt(2 * PAD + 1) - PAD;
                boolean flip = random.nextBoolean();
                shiftAndFlip(set.pixels(), sample * n, pixels, i * n, dy, dx, flip);
            } else {
                System.arraycopy(set.pixels(), sample * n, pixels, i * n, n);
            }
        }
        Shape shape = new Shape(indices.length, set.channels(), set.height(), set.width());
        return new Batch(manager.create(pixels, shape), manager.create(labels), indices);
    }

    /**
     * Pad-and-crop as one shift: output pixel (y, x) is input (y + dy, x + dx), zero outside the
     * image; with flip, the crop is mirrored left-right.
     */
    private void shiftAndFlip(
            float[] in, int inOffset, float[] out, int outOffset, int dy, int dx, boolean flip) {
        int h = set.height();
        int w = set.width();
        for (int c = 0; c < set.channels(); c++) {
            int plane = c * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int x = 0; x < w; x++) {
                    int sx = (flip ? w - 1 - x : x) + dx;
                    float v =
                            sy >= 0 && sy < h && sx >= 0 && sx < w
                                    ? in[inOffset + plane + sy * w + sx]
                                    : 0f;
                    out[outOffset + plane + y * w + x] = v;
                }
            }
        }
    }
}
