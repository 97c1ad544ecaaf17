package dev.sharpness.trainer.data;

import dev.sharpness.api.v1alpha1.DatasetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Loads a job's data: reads the format's files, normalizes, carves the validation split from the
 * training set and applies label noise to the training part. Every random choice is a function of
 * the job seed.
 */
public final class DatasetLoader {
    private DatasetLoader() {}

    /**
     * @param baseDir a relative {@code spec.dataset.path} is resolved against it (the manifest's
     *     folder)
     */
    public static TrainingData load(DatasetSpec spec, Path baseDir, long seed) {
        ImageSet trainAll;
        ImageSet test;
        if (spec.getFormat() == DatasetSpec.Format.SYNTHETIC) {
            trainAll = SyntheticData.generate(spec.getSynthetic(), seed, true);
            test = SyntheticData.generate(spec.getSynthetic(), seed, false);
        } else {
            Path directory = directory(spec, baseDir);
            switch (spec.getFormat()) {
                case FASHION_MNIST, MNIST -> {
                    Normalization n =
                            spec.getFormat() == DatasetSpec.Format.MNIST
                                    ? Normalization.MNIST
                                    : Normalization.FASHION_MNIST;
                    trainAll = normalized(IdxReader.read(directory, "train"), n, 10);
                    test = normalized(IdxReader.read(directory, "t10k"), n, 10);
                }
                case CIFAR10 -> {
                    trainAll =
                            normalized(
                                    CifarReader.cifar10(directory, true),
                                    Normalization.CIFAR10,
                                    10);
                    test =
                            normalized(
                                    CifarReader.cifar10(directory, false),
                                    Normalization.CIFAR10,
                                    10);
                }
                case CIFAR100 -> {
                    trainAll =
                            normalized(
                                    CifarReader.cifar100(directory, true),
                                    Normalization.CIFAR100,
                                    100);
                    test =
                            normalized(
                                    CifarReader.cifar100(directory, false),
                                    Normalization.CIFAR100,
                                    100);
                }
                default -> throw new IllegalStateException("unhandled format " + spec.getFormat());
            }
        }

        int[][] split = split(trainAll.size(), spec.getValidationFraction(), seed);
        ImageSet validation = trainAll.subset(split[0]);
        ImageSet train = trainAll.subset(split[1]);
        if (spec.getLabelNoise() > 0) {
            train = train.withLabels(noisyLabels(train, spec.getLabelNoise(), seed));
        }
        String description =
                String.format(
                        "%s: %d train, %d validation, %d test, %dx%dx%d, %d classes",
                        spec.getFormat().name().toLowerCase().replace('_', '-'),
                        train.size(),
                        validation.size(),
                        test.size(),
                        train.channels(),
                        train.height(),
                        train.width(),
                        train.classes());
        return new TrainingData(train, validation, test, description);
    }

    private static Path directory(DatasetSpec spec, Path baseDir) {
        if (spec.getPath() == null || spec.getPath().isBlank()) {
            throw new DataException(
                    "spec.dataset.path: required for format "
                            + spec.getFormat().name().toLowerCase().replace('_', '-'));
        }
        Path directory = baseDir.resolve(spec.getPath()).normalize();
        if (!Files.isDirectory(directory)) {
            throw new DataException("spec.dataset.path: " + directory + " is not a directory");
        }
        return directory;
    }

    private static ImageSet normalized(RawImages raw, Normalization n, int classes) {
        float[] pixels = n.apply(raw.pixels(), raw.channels(), raw.height() * raw.width());
        return new ImageSet(
                pixels, raw.labels(), raw.channels(), raw.height(), raw.width(), classes);
    }

    /**
     * {validation indices, training indices}, each ascending: a seeded permutation's first round(n
     * * fraction) entries are held out.
     */
    static int[][] split(int n, double fraction, long seed) {
        int held = (int) Math.round(n * fraction);
        int[] order = DataOrder.permutation(Seeds.mix(seed, 0x5B1L), 0, n);
        int[] validation = Arrays.copyOfRange(order, 0, held);
        int[] train = Arrays.copyOfRange(order, held, n);
        Arrays.sort(validation);
        Arrays.sort(train);
        return new int[][] {validation, train};
    }

    /** Exactly round(n * noise) training labels replaced by a different, uniformly drawn class. */
    static int[] noisyLabels(ImageSet train, double noise, long seed) {
        int[] labels = train.labels().clone();
        int flipped = (int) Math.round(train.size() * noise);
        int[] order = DataOrder.permutation(Seeds.mix(seed, 0x401CEL), 0, train.size());
        SplittableRandom random = new SplittableRandom(Seeds.mix(seed, 0x401CEL, 1));
        for (int i = 0; i < flipped; i++) {
            int sample = order[i];
            int other = random.nextInt(train.classes() - 1);
            labels[sample] = other >= labels[sample] ? other + 1 : other;
        }
        return labels;
    }
}
