package dev.sharpness.trainer.data;

import dev.sharpness.api.v1alpha1.SyntheticSpec;
import java.util.SplittableRandom;

/**
 * A learnable dataset generated from the seed: every class has a fixed Gaussian prototype image
 * (standard deviation 1) and every sample is its class's prototype plus Gaussian noise of the same
 * scale. Classes are balanced. Train and test share the prototypes and draw their samples from
 * different streams. The spec is a validated one: its bounds and the rule that each set fits one
 * array are the API type's ({@link SyntheticSpec}).
 */
final class SyntheticData {
    private static final double NOISE_STD = 1.0;

    private final SyntheticSpec spec;
    private final long seed;
    private final float[] prototypes;

    SyntheticData(SyntheticSpec spec, long seed) {
        this.spec = spec;
        this.seed = seed;
        prototypes =
                gaussian(
                        RandomStream.SYNTHETIC_PROTOTYPES.random(seed),
                        spec.getClasses() * sampleLength());
    }

    ImageSet train() {
        return generate(spec.getTrainSamples(), RandomStream.SYNTHETIC_TRAIN.random(seed));
    }

    ImageSet test() {
        return generate(spec.getTestSamples(), RandomStream.SYNTHETIC_TEST.random(seed));
    }

    private ImageSet generate(int samples, SplittableRandom random) {
        int classes = spec.getClasses();
        int[] order = DataOrder.shuffled(random, samples);
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            labels[order[i]] = i % classes;
        }
        int length = sampleLength();
        float[] pixels = new float[samples * length];
        for (int i = 0; i < samples; i++) {
            int prototype = labels[i] * length;
            for (int k = 0; k < length; k++) {
                pixels[i * length + k] =
                        prototypes[prototype + k] + (float) (NOISE_STD * random.nextGaussian());
            }
        }
        int side = spec.getImageSize();
        return new ImageSet(pixels, labels, spec.getChannels(), side, side, classes);
    }

    private int sampleLength() {
        return spec.getChannels() * spec.getImageSize() * spec.getImageSize();
    }

    private static float[] gaussian(SplittableRandom random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
