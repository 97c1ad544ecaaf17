package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Locale;

/** Training progress as rank 0 last reported it. */
public class ProgressStatus {
    @JsonPropertyDescription("Current epoch (1-based).")
    private Integer epoch;

    @JsonPropertyDescription("Epochs in the run.")
    private Integer epochs;

    @JsonPropertyDescription("Steps done.")
    private Long step;

    @JsonPropertyDescription("Steps in the run.")
    private Long totalSteps;

    @JsonPropertyDescription("Steps done as a percentage of the run.")
    private Integer percent;

    @JsonPropertyDescription(
            "Progress as the PROGRESS column of kubectl get shows it: \"<step>/<totalSteps>"
                    + " (<percent>%)\", or \"<percent>%\" while the step count is unknown.")
    private String display;

    @JsonPropertyDescription("Estimated seconds to the end at the current speed.")
    private Long etaSeconds;

    @JsonPropertyDescription("Mean training loss of the current epoch so far.")
    private Double trainLoss;

    @JsonPropertyDescription("Training accuracy of the current epoch so far.")
    private Double trainAccuracy;

    @JsonPropertyDescription("Validation accuracy after the last finished epoch.")
    private Double validationAccuracy;

    @JsonPropertyDescription("Test accuracy after the last finished epoch.")
    private Double testAccuracy;

    @JsonPropertyDescription("Training speed.")
    private Double stepsPerSecond;

    @JsonPropertyDescription("Mean milliseconds per step spent exchanging gradients (SAMPa).")
    private Double exchangeMillis;

    @JsonPropertyDescription(
            "SAMPa: median milliseconds of rank 0's gradient pass over the recent steps (its"
                    + " perturbation and the restore of the parameters included).")
    private Double gradientPassMillis;

    @JsonPropertyDescription(
            "SAMPa: median milliseconds of a gradient swap's transfer over the recent steps (the"
                    + " swap less the wait for the peer's pass). At gradientPassMillis or above,"
                    + " SAM on one worker would be about as fast as the pair.")
    private Double swapTransferMillis;

    @JsonPropertyDescription("When the operator last read progress (RFC 3339).")
    private String updateTime;

    @JsonPropertyDescription(
            "When the step count last moved (RFC 3339); the progress deadline counts from here.")
    private String lastStepChangeTime;

    public Integer getEpoch() {
        return epoch;
    }

    public void setEpoch(Integer epoch) {
        this.epoch = epoch;
    }

    public Integer getEpochs() {
        return epochs;
    }

    public void setEpochs(Integer epochs) {
        this.epochs = epochs;
    }

    public Long getStep() {
        return step;
    }

    public void setStep(Long step) {
        this.step = step;
    }

    public Long getTotalSteps() {
        return totalSteps;
    }

    public void setTotalSteps(Long totalSteps) {
        this.totalSteps = totalSteps;
    }

    public Integer getPercent() {
        return percent;
    }

    public void setPercent(Integer percent) {
        this.percent = percent;
    }

    public String getDisplay() {
        return display;
    }

    public void setDisplay(String display) {
        this.display = display;
    }

    /**
     * The text of {@link #getDisplay()} from the progress's step, total steps and percent: {@code
     * "1234/5000 (24%)"}, {@code "24%"} without a step count, null without a percentage.
     */
    public static String display(ProgressStatus progress) {
        Integer percent = progress.getPercent();
        Long step = progress.getStep();
        Long totalSteps = progress.getTotalSteps();
        if (percent == null) {
            return null;
        }
        if (step == null || totalSteps == null || totalSteps <= 0) {
            return percent + "%";
        }
        return String.format(Locale.ROOT, "%d/%d (%d%%)", step, totalSteps, percent);
    }

    public Long getEtaSeconds() {
        return etaSeconds;
    }

    public void setEtaSeconds(Long etaSeconds) {
        this.etaSeconds = etaSeconds;
    }

    public Double getTrainLoss() {
        return trainLoss;
    }

    public void setTrainLoss(Double trainLoss) {
        this.trainLoss = trainLoss;
    }

    public Double getTrainAccuracy() {
        return trainAccuracy;
    }

    public void setTrainAccuracy(Double trainAccuracy) {
        this.trainAccuracy = trainAccuracy;
    }

    public Double getValidationAccuracy() {
        return validationAccuracy;
    }

    public void setValidationAccuracy(Double validationAccuracy) {
        this.validationAccuracy = validationAccuracy;
    }

    public Double getTestAccuracy() {
        return testAccuracy;
    }

    public void setTestAccuracy(Double testAccuracy) {
        this.testAccuracy = testAccuracy;
    }

    public Double getStepsPerSecond() {
        return stepsPerSecond;
    }

    public void setStepsPerSecond(Double stepsPerSecond) {
        this.stepsPerSecond = stepsPerSecond;
    }

    public Double getExchangeMillis() {
        return exchangeMillis;
    }

    public void setExchangeMillis(Double exchangeMillis) {
        this.exchangeMillis = exchangeMillis;
    }

    public Double getGradientPassMillis() {
        return gradientPassMillis;
    }

    public void setGradientPassMillis(Double gradientPassMillis) {
        this.gradientPassMillis = gradientPassMillis;
    }

    public Double getSwapTransferMillis() {
        return swapTransferMillis;
    }

    public void setSwapTransferMillis(Double swapTransferMillis) {
        this.swapTransferMillis = swapTransferMillis;
    }

    public String getUpdateTime() {
        return updateTime;
    }

    public void setUpdateTime(String updateTime) {
        this.updateTime = updateTime;
    }

    public String getLastStepChangeTime() {
        return lastStepChangeTime;
    }

    public void setLastStepChangeTime(String lastStepChangeTime) {
        this.lastStepChangeTime = lastStepChangeTime;
    }
}
