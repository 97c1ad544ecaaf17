package dev.sharpness.trainer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.DatasetSpec.Augmentation;
import dev.sharpness.api.v1alpha1.DatasetSpec.Format;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Copies samples of an {@link ImageSet} into a {@link Batch}, optionally with the standard
 * augmentation: pad by 4 pixels on every side, crop back to H x W at a random offset, then flip
 * left-right with probability 1/2. The randomness is a pure function of (seed, epoch, step, sample
 * index), so both workers and a resumed run produce the same pixels.
 */
public final class BatchAssembler {
    /** Pixels of padding on each side before the random crop. */
    static final int PAD = 4;

    private final ImageSet set;
    private final boolean augment;
    private final long seed;

    /**
     * @param set the samples to draw from
     * @param augment whether to pad-crop-flip (training) or copy as is (evaluation)
     * @param seed the job seed
     */
    public BatchAssembler(ImageSet set, boolean augment, long seed) {
        this.set = Objects.requireNonNull(set, "set");
        this.augment = augment;
        this.seed = seed;
    }

    /**
     * Whether a job's training set is augmented: {@code auto} means yes for CIFAR-10 and CIFAR-100
     * only.
     */
    public static boolean augmentationOn(DatasetSpec spec) {
        Augmentation mode =
                spec.getAugmentation() != null ? spec.getAugmentation() : Augmentation.AUTO;
        return switch (mode) {
            case STANDARD -> true;
            case NONE -> false;
            case AUTO -> spec.getFormat() == Format.CIFAR10 || spec.getFormat() == Format.CIFAR100;
        };
    }

    /**
     * Builds the batch of the given samples on {@code manager}; the caller owns the arrays.
     *
     * @param indices sample indices into the set, in row order
     * @param epoch the epoch, one coordinate of the augmentation randomness
     * @param step the global step, another coordinate of the augmentation randomness
     */
    public Batch assemble(NDManager manager, int[] indices, int epoch, long step) {
        int length = set.sampleLength();
        float[] source = set.pixels();
        float[] pixels = new float[Math.multiplyExact(indices.length, length)];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int sample = Objects.checkIndex(indices[i], set.size());
            labels[i] = set.label(sample);
            if (augment) {
                cropFlip(
                        cropFlip(epoch, step, sample), source, sample * length, pixels, i * length);
            } else {
                System.arraycopy(source, sample * length, pixels, i * length, length);
            }
        }
        Shape shape = new Shape(indices.length, set.channels(), set.height(), set.width());
        NDArray images = manager.create(pixels, shape);
        NDArray labelArray = manager.create(labels);
        return new Batch(images, labelArray, indices.clone());
    }

    /**
     * Where the crop window starts inside the padded image (0 .. 2 * PAD on each axis; PAD means no
     * shift) and whether the crop is mirrored.
     */
    record CropFlip(int top, int left, boolean flip) {}

    /** The augmentation drawn for one sample at one step. */
    CropFlip cropFlip(int epoch, long step, int sample) {
        SplittableRandom random = RandomStream.AUGMENTATION.random(seed, epoch, step, sample);
        int top = random.nextInt(2 * PAD + 1);
        int left = random.nextInt(2 * PAD + 1);
        return new CropFlip(top, left, random.nextBoolean());
    }

    private void cropFlip(CropFlip a, float[] src, int srcOffset, float[] dst, int dstOffset) {
        int h = set.height();
        int w = set.width();
        int dy = a.top() - PAD;
        int dx = a.left() - PAD;
        // Padding is 0 in normalized space, i.e. the dataset mean, and dst starts zeroed, so only
        // pixels that come from inside the image are written.
        for (int c = 0; c < set.channels(); c++) {
            int plane = c * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                if (sy < 0 || sy >= h) {
                    continue;
                }
                int srcRow = srcOffset + plane + sy * w;
                int dstRow = dstOffset + plane + y * w;
                for (int x = 0; x < w; x++) {
                    int sx = (a.flip() ? w - 1 - x : x) + dx;
                    if (sx >= 0 && sx < w) {
                        dst[dstRow + x] = src[srcRow + sx];
                    }
                }
            }
        }
    }
}
