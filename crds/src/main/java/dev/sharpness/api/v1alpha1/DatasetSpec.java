package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The training data: a format, where its files are, and how it is split and prepared. */
public class DatasetSpec {
    /** File formats the trainer reads itself (nothing is downloaded). */
    public enum Format {
        /** IDX files (train-images-idx3-ubyte[.gz], ...), 28x28 grey, 10 classes. */
        @JsonProperty("fashion-mnist")
        FASHION_MNIST,
        /** IDX files like Fashion-MNIST's, with MNIST's normalization. */
        @JsonProperty("mnist")
        MNIST,
        /** CIFAR-10 binary batches (data_batch_1.bin ... data_batch_5.bin, test_batch.bin). */
        @JsonProperty("cifar10")
        CIFAR10,
        /** CIFAR-100 binary files (train.bin, test.bin), fine labels. */
        @JsonProperty("cifar100")
        CIFAR100,
        /** Generated in memory from the seed: for tests and benchmarks. */
        @JsonProperty("synthetic")
        SYNTHETIC
    }

    /** Training-set augmentation. */
    public enum Augmentation {
        /** {@code standard} for CIFAR, {@code none} for the others. */
        @JsonProperty("auto")
        AUTO,
        /** Pad by 4 and crop at random, flip left-right at random. */
        @JsonProperty("standard")
        STANDARD,
        @JsonProperty("none")
        NONE
    }

    @Required
    @JsonPropertyDescription(
            "fashion-mnist, mnist (IDX files), cifar10, cifar100 (binary batches) or synthetic.")
    private Format format;

    @JsonPropertyDescription(
            "Directory holding the dataset's files. A relative path is resolved against the manifest's"
                    + " directory. Not used by the synthetic format.")
    private String path;

    @Default("0.1")
    @Min(0.0)
    @Max(value = 0.5)
    @JsonPropertyDescription("Fraction of the training set held out for validation (0 = none).")
    private double validationFraction = 0.1;

    @Default("auto")
    @JsonPropertyDescription(
            "standard (pad-and-crop plus flip), none, or auto: standard for CIFAR, none otherwise.")
    private Augmentation augmentation = Augmentation.AUTO;

    @Default("0.0")
    @Min(0.0)
    @Max(value = 1.0, inclusive = false)
    @JsonPropertyDescription(
            "Fraction of training labels replaced by a seeded random class (robustness studies).")
    private double labelNoise = 0.0;

    @JsonPropertyDescription(
            "A PersistentVolumeClaim holding the dataset, mounted at path in the trainer pods.")
    private VolumeClaimSpec volume;

    @JsonPropertyDescription("Shape of the generated data when format is synthetic.")
    private SyntheticSpec synthetic = new SyntheticSpec();

    public Format getFormat() {
        return format;
    }

    public void setFormat(Format format) {
        this.format = format;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public double getValidationFraction() {
        return validationFraction;
    }

    public void setValidationFraction(double validationFraction) {
        this.validationFraction = validationFraction;
    }

    public Augmentation getAugmentation() {
        return augmentation;
    }

    public void setAugmentation(Augmentation augmentation) {
        this.augmentation = augmentation;
    }

    public double getLabelNoise() {
        return labelNoise;
    }

    public void setLabelNoise(double labelNoise) {
        this.labelNoise = labelNoise;
    }

    public SyntheticSpec getSynthetic() {
        return synthetic;
    }

    public void setSynthetic(SyntheticSpec synthetic) {
        this.synthetic = synthetic;
    }

    public VolumeClaimSpec getVolume() {
        return volume;
    }

    public void setVolume(VolumeClaimSpec volume) {
        this.volume = volume;
    }
}
