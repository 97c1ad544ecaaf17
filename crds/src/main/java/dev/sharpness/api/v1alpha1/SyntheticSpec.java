package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** A learnable generated dataset: each class is a fixed random image plus per-sample noise. */
@ValidationRule(
        value = SyntheticSpec.FITS_ONE_ARRAY,
        message =
                "trainSamples and testSamples, each times channels x imageSize x imageSize, must"
                        + " be at most 2147483639 values: the trainer holds each set in one array")
public class SyntheticSpec {
    /** Java's largest array, less the 8 entries some JVMs reserve. */
    static final String FITS_ONE_ARRAY =
            "self.trainSamples * self.channels * self.imageSize * self.imageSize <= 2147483639"
                    + " && self.testSamples * self.channels * self.imageSize * self.imageSize"
                    + " <= 2147483639";

    @Default("512")
    @Min(2)
    @Max(1000000)
    @JsonPropertyDescription("Training samples (before the validation split).")
    private int trainSamples = 512;

    @Default("128")
    @Min(1)
    @Max(1000000)
    @JsonPropertyDescription("Test samples.")
    private int testSamples = 128;

    @Default("10")
    @Min(2)
    @Max(1000)
    @JsonPropertyDescription("Number of classes.")
    private int classes = 10;

    @Default("1")
    @Min(1)
    @Max(16)
    @JsonPropertyDescription("Image channels.")
    private int channels = 1;

    @Default("8")
    @Min(4)
    @Max(256)
    @JsonPropertyDescription("Image height and width in pixels.")
    private int imageSize = 8;

    public int getTrainSamples() {
        return trainSamples;
    }

    public void setTrainSamples(int trainSamples) {
        this.trainSamples = trainSamples;
    }

    public int getTestSamples() {
        return testSamples;
    }

    public void setTestSamples(int testSamples) {
        this.testSamples = testSamples;
    }

    public int getClasses() {
        return classes;
    }

    public void setClasses(int classes) {
        this.classes = classes;
    }

    public int getChannels() {
        return channels;
    }

    public void setChannels(int channels) {
        this.channels = channels;
    }

    public int getImageSize() {
        return imageSize;
    }

    public void setImageSize(int imageSize) {
        this.imageSize = imageSize;
    }
}
