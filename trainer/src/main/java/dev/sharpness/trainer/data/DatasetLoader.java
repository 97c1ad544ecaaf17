package dev.sharpness.trainer.data;

import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.DatasetSpec.Format;
import dev.sharpness.api.v1alpha1.SyntheticSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link DatasetSpec} into {@link TrainingData}: reads the files (or generates the
 * synthetic set), normalizes them, holds out the validation split and adds label noise to the
 * training part. Everything random is a pure function of the seed.
 */
public final class DatasetLoader {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetLoader.class);
    private static final String FIELD = "spec.dataset.";

    private DatasetLoader() {}

    /**
     * Loads the dataset a job asks for. The spec is a validated one ({@code SpecValidator}, or the
     * API server): its bounds are not checked again here, only what the files hold.
     *
     * @param spec the job's dataset section
     * @param baseDir what a relative {@code spec.dataset.path} is resolved against (the manifest's
     *     directory)
     * @param seed the job seed; the split, the label noise and synthetic data follow from it
     * @throws DataException when the files cannot be found or used: the directory is missing, a
     *     file is missing, truncated or corrupt, or the data is too small for the split
     */
    public static TrainingData load(DatasetSpec spec, Path baseDir, long seed) {
        long start = System.nanoTime();
        Format format = spec.getFormat();
        Source source =
                format == Format.SYNTHETIC
                        ? generate(spec.getSynthetic(), seed)
                        : read(directory(spec.getPath(), baseDir, format), format);
        ImageSet full = source.train();

        double fraction = spec.getValidationFraction();
        int n = full.size();
        int validationSize = (int) Math.round(n * fraction);
        if (validationSize >= n) {
            throw new DataException(
                    FIELD + "validationFraction",
                    fraction + " of " + n + " training samples leaves none to train on");
        }
        int[][] split = split(n, validationSize, seed);
        ImageSet validation = full.subset(split[0]);
        // Without a split the training part is the whole set in order: no need to copy it.
        ImageSet train = validationSize == 0 ? full : full.subset(split[1]);
        int noisy = (int) Math.round(train.size() * spec.getLabelNoise());
        if (noisy > 0) {
            train = train.withLabels(noisyLabels(train.labels(), train.classes(), noisy, seed));
        }

        String description =
                String.format(
                        Locale.ROOT,
                        "%s %s: %d train, %d validation, %d test, %dx%dx%d, %d classes%s",
                        formatName(format),
                        source.origin(),
                        train.size(),
                        validation.size(),
                        source.test().size(),
                        train.channels(),
                        train.height(),
                        train.width(),
                        train.classes(),
                        noisy > 0 ? ", " + noisy + " training labels replaced at random" : "");
        LOG.info("Loaded {} in {} ms", description, (System.nanoTime() - start) / 1_000_000);
        return new TrainingData(train, validation, source.test(), description);
    }

    /** A dataset's two files' worth of images, and where they came from, for the log. */
    private record Source(ImageSet train, ImageSet test, String origin) {}

    private static Source generate(SyntheticSpec spec, long seed) {
        SyntheticData synthetic =
                new SyntheticData(spec != null ? spec : new SyntheticSpec(), seed);
        return new Source(synthetic.train(), synthetic.test(), "generated from seed " + seed);
    }

    private static Source read(Path dir, Format format) {
        Normalization normalization = Normalization.of(format);
        ImageSet train;
        ImageSet test;
        switch (format) {
            case FASHION_MNIST, MNIST -> {
                train = IdxReader.read(dir, IdxReader.TRAIN, normalization);
                test = IdxReader.read(dir, IdxReader.TEST, normalization);
            }
            case CIFAR10 -> {
                train = CifarReader.readTrain(CifarReader.Variant.CIFAR10, dir, normalization);
                test = CifarReader.readTest(CifarReader.Variant.CIFAR10, dir, normalization);
            }
            case CIFAR100 -> {
                train = CifarReader.readTrain(CifarReader.Variant.CIFAR100, dir, normalization);
                test = CifarReader.readTest(CifarReader.Variant.CIFAR100, dir, normalization);
            }
            default -> throw new IllegalStateException("unhandled format " + format);
        }
        if (train.height() != test.height() || train.width() != test.width()) {
            throw new DataException(
                    dir,
                    "training images are %dx%d but test images are %dx%d"
                            .formatted(train.height(), train.width(), test.height(), test.width()));
        }
        return new Source(train, test, "from " + dir);
    }

    private static Path directory(String path, Path baseDir, Format format) {
        if (path == null || path.isBlank()) {
            throw new DataException(
                    FIELD + "path", "required for format " + formatName(format) + ", not set");
        }
        Path dir = Path.of(path);
        if (!dir.isAbsolute()) {
            Path base = baseDir != null ? baseDir : Path.of("");
            dir = base.resolve(dir);
        }
        dir = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new DataException(
                    FIELD + "path",
                    "'%s' resolves to %s, which %s"
                            .formatted(
                                    path,
                                    dir,
                                    Files.exists(dir) ? "is not a directory" : "does not exist"));
        }
        return dir;
    }

    /**
     * {validation indices, training indices}: the first {@code validationSize} entries of a seeded
     * permutation are held out; each part is sorted so that it depends on nothing but the seed.
     */
    static int[][] split(int n, int validationSize, long seed) {
        int[] order = DataOrder.shuffled(RandomStream.VALIDATION_SPLIT.random(seed), n);
        int[] validation = Arrays.copyOfRange(order, 0, validationSize);
        int[] train = Arrays.copyOfRange(order, validationSize, n);
        Arrays.sort(validation);
        Arrays.sort(train);
        return new int[][] {validation, train};
    }

    /** Exactly {@code count} distinct samples, chosen by seed, get a different class at random. */
    static int[] noisyLabels(int[] labels, int classes, int count, long seed) {
        if (classes < 2) {
            throw new DataException(
                    FIELD + "labelNoise", "needs at least 2 classes, have " + classes);
        }
        SplittableRandom random = RandomStream.LABEL_NOISE.random(seed);
        int[] candidates = new int[labels.length];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = i;
        }
        int[] noisy = labels.clone();
        // A partial Fisher-Yates shuffle: its first `count` entries are a uniform sample without
        // replacement.
        for (int k = 0; k < count; k++) {
            int j = k + random.nextInt(candidates.length - k);
            int chosen = candidates[j];
            candidates[j] = candidates[k];
            candidates[k] = chosen;
            noisy[chosen] = (labels[chosen] + 1 + random.nextInt(classes - 1)) % classes;
        }
        return noisy;
    }

    private static String formatName(Format format) {
        return format.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
