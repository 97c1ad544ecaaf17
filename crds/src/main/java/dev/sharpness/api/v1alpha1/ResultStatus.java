package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The final metrics of a finished run, from rank 0's termination message. */
public class ResultStatus {
    @JsonPropertyDescription("Test accuracy of the final parameters.")
    private Double testAccuracy;

    @JsonPropertyDescription("Validation accuracy of the final parameters.")
    private Double validationAccuracy;

    @JsonPropertyDescription("Best validation accuracy of any epoch.")
    private Double bestValidationAccuracy;

    @JsonPropertyDescription("Epoch of the best validation accuracy.")
    private Integer bestEpoch;

    @JsonPropertyDescription("Training loss of the last epoch.")
    private Double trainLoss;

    @JsonPropertyDescription("Steps trained.")
    private Long steps;

    @JsonPropertyDescription("Epochs trained.")
    private Integer epochs;

    @JsonPropertyDescription("Training wall-clock seconds over all attempts.")
    private Double wallSeconds;

    @JsonPropertyDescription("SHA-256 of the final parameters (equal on both ranks of a pair).")
    private String parameterChecksum;

    public Double getTestAccuracy() {
        return testAccuracy;
    }

    public void setTestAccuracy(Double testAccuracy) {
        this.testAccuracy = testAccuracy;
    }

    public Double getValidationAccuracy() {
        return validationAccuracy;
    }

    public void setValidationAccuracy(Double validationAccuracy) {
        this.validationAccuracy = validationAccuracy;
    }

    public Double getBestValidationAccuracy() {
        return bestValidationAccuracy;
    }

    public void setBestValidationAccuracy(Double bestValidationAccuracy) {
        this.bestValidationAccuracy = bestValidationAccuracy;
    }

    public Integer getBestEpoch() {
        return bestEpoch;
    }

    public void setBestEpoch(Integer bestEpoch) {
        this.bestEpoch = bestEpoch;
    }

    public Double getTrainLoss() {
        return trainLoss;
    }

    public void setTrainLoss(Double trainLoss) {
        this.trainLoss = trainLoss;
    }

    public Long getSteps() {
        return steps;
    }

    public void setSteps(Long steps) {
        this.steps = steps;
    }

    public Integer getEpochs() {
        return epochs;
    }

    public void setEpochs(Integer epochs) {
        this.epochs = epochs;
    }

    public Double getWallSeconds() {
        return wallSeconds;
    }

    public void setWallSeconds(Double wallSeconds) {
        this.wallSeconds = wallSeconds;
    }

    public String getParameterChecksum() {
        return parameterChecksum;
    }

    public void setParameterChecksum(String parameterChecksum) {
        this.parameterChecksum = parameterChecksum;
    }
}
