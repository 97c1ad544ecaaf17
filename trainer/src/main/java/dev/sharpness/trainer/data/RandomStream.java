package dev.sharpness.trainer.data;

import java.util.SplittableRandom;

/**
 * The independent random streams the data pipeline draws from. Each is a pure function of the job
 * seed and the stream's coordinates (epoch, step, sample, ...), never a shared generator, so two
 * workers, or a resumed run, draw exactly the same numbers.
 */
enum RandomStream {
    VALIDATION_SPLIT(1),
    LABEL_NOISE(2),
    DATA_ORDER(3),
    AUGMENTATION(4),
    SYNTHETIC_PROTOTYPES(5),
    SYNTHETIC_TRAIN(6),
    SYNTHETIC_TEST(7);

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    // An explicit id rather than the ordinal: reordering the constants must not change any data.
    private final long id;

    RandomStream(long id) {
        this.id = id;
    }

    /** A fresh generator for this stream at the given coordinates. */
    SplittableRandom random(long seed, long... coordinates) {
        return new SplittableRandom(seed(seed, coordinates));
    }

    /** The 64-bit seed of this stream at the given coordinates. */
    long seed(long seed, long... coordinates) {
        long h = mix64(seed + GOLDEN_GAMMA);
        h = mix64(h ^ mix64(id * GOLDEN_GAMMA));
        for (long c : coordinates) {
            // Adding the gamma before mixing keeps (a, b) and (b, a) apart.
            h = mix64((h + GOLDEN_GAMMA) ^ mix64(c));
        }
        return h;
    }

    /** David Stafford's Mix13 finalizer, the one SplittableRandom uses. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
