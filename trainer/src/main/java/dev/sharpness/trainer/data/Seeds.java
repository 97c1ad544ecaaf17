package dev.sharpness.trainer.data;

/**
 * Derives independent seeds from the job seed and a purpose (data order, split, noise,
 * augmentation) so that no two uses of randomness share a stream.
 */
final class Seeds {
    private Seeds() {}

    /** A well-mixed 64-bit seed from several values (SplitMix64's finalizer, chained). */
    static long mix(long... values) {
        long h = 0x9E3779B97F4A7C15L;
        for (long v : values) {
            h = finalize(h ^ finalize(v + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long finalize(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
