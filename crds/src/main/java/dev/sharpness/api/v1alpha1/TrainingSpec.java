package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The training loop: how long, in what batches, from which seed. */
public class TrainingSpec {
    @Default("10")
    @Min(1)
    @Max(100000)
    @JsonPropertyDescription("Passes over the training set.")
    private int epochs = 10;

    @Default("128")
    @Min(1)
    @Max(65536)
    @JsonPropertyDescription("Samples per step; the last incomplete batch of an epoch is dropped.")
    private int batchSize = 128;

    @Default("42")
    @Min(0)
    @JsonPropertyDescription(
            "Seeds initialization, data order, augmentation and label noise: same seed, same run.")
    private long seed = 42;

    @Default("0.0")
    @Min(0.0)
    @Max(value = 1.0, inclusive = false)
    @JsonPropertyDescription("Label smoothing of the cross-entropy loss.")
    private double labelSmoothing = 0.0;

    @Min(1)
    @JsonPropertyDescription(
            "Stop after this many steps even if epochs remain (absent = no limit). The schedule still"
                    + " spans all epochs, so a run cut short continues as if it had not been.")
    private Long maxSteps;

    @Min(1)
    @JsonPropertyDescription(
            "Log the training loss, accuracy and learning rate every this many steps, and at the"
                    + " last step of the last epoch, to steps.csv, /metrics and curves.png (absent ="
                    + " about 200 rows a run: its steps / 200, from 1 to 50).")
    private Integer logEverySteps;

    @JsonPropertyDescription(
            "End the run when the validation metric stops improving, and keep the best model by that"
                    + " metric (absent = train to the end; the best model then follows validation"
                    + " accuracy). Needs dataset.validationFraction above 0.")
    private EarlyStoppingSpec earlyStopping;

    public int getEpochs() {
        return epochs;
    }

    public void setEpochs(int epochs) {
        this.epochs = epochs;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public long getSeed() {
        return seed;
    }

    public void setSeed(long seed) {
        this.seed = seed;
    }

    public double getLabelSmoothing() {
        return labelSmoothing;
    }

    public void setLabelSmoothing(double labelSmoothing) {
        this.labelSmoothing = labelSmoothing;
    }

    public Long getMaxSteps() {
        return maxSteps;
    }

    public void setMaxSteps(Long maxSteps) {
        this.maxSteps = maxSteps;
    }

    public Integer getLogEverySteps() {
        return logEverySteps;
    }

    public void setLogEverySteps(Integer logEverySteps) {
        this.logEverySteps = logEverySteps;
    }

    public EarlyStoppingSpec getEarlyStopping() {
        return earlyStopping;
    }

    public void setEarlyStopping(EarlyStoppingSpec earlyStopping) {
        this.earlyStopping = earlyStopping;
    }
}
