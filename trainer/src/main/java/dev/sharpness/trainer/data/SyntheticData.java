package dev.sharpness.trainer.data;

import dev.sharpness.api.v1alpha1.SyntheticSpec;
import java.util.SplittableRandom;

/**
 * A learnable dataset made from the seed alone: every class has a fixed Gaussian prototype image
 * and each sample is its class's prototype plus Gaussian noise of the same scale.
 */
final class SyntheticData {
    private static final double NOISE = 1.0;

    private SyntheticData() {}

    static ImageSet generate(SyntheticSpec spec, long seed, boolean train) {
        int size = spec.getImageSize();
        int length = spec.getChannels() * size * size;
        int classes = spec.getClasses();
        SplittableRandom prototypes = new SplittableRandom(Seeds.mix(seed, 0x5E7L));
        float[][] prototype = new float[classes][length];
        for (float[] p : prototype) {
            for (int i = 0; i < length; i++) {
                p[i] = (float) prototypes.nextGaussian();
            }
        }
        int n = train ? spec.getTrainSamples() : spec.getTestSamples();
        SplittableRandom samples = new SplittableRandom(Seeds.mix(seed, 0x5E7L, train ? 1 : 2));
        float[] pixels = new float[n * length];
        int[] labels = new int[n];
        for (int s = 0; s < n; s++) {
            labels[s] = samples.nextInt(classes);
            for (int i = 0; i < length; i++) {
                pixels[s * length + i] =
                        (float) (prototype[labels[s]][i] + NOISE * samples.nextGaussian());
            }
        }
        return new ImageSet(pixels, labels, spec.getChannels(), size, size, classes);
    }
}
