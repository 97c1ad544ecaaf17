package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * Ends a run when the monitored validation metric has not improved for {@code patience}
 * evaluations; the monitored metric also chooses the best model.
 */
public class EarlyStoppingSpec {
    /** The validation metric the run watches, and which way is better. */
    public enum Monitor {
        /** Higher is better. */
        @JsonProperty("validationAccuracy")
        VALIDATION_ACCURACY,
        /** Lower is better. */
        @JsonProperty("validationLoss")
        VALIDATION_LOSS
    }

    @Default("validationAccuracy")
    @JsonPropertyDescription(
            "The metric watched at every epoch's evaluation, and the one that chooses the best model:"
                    + " validationAccuracy (higher is better) or validationLoss (lower is better).")
    private Monitor monitor = Monitor.VALIDATION_ACCURACY;

    @Default("5")
    @Min(1)
    @Max(100000)
    @JsonPropertyDescription(
            "Evaluations (epochs) without an improvement after which the run ends.")
    private int patience = 5;

    @Default("0.0")
    @Min(0.0)
    @JsonPropertyDescription(
            "How much the metric must beat its best so far to count as an improvement for patience"
                    + " (the best model is always the best evaluation).")
    private double minDelta = 0.0;

    public Monitor getMonitor() {
        return monitor;
    }

    public void setMonitor(Monitor monitor) {
        this.monitor = monitor;
    }

    public int getPatience() {
        return patience;
    }

    public void setPatience(int patience) {
        this.patience = patience;
    }

    public double getMinDelta() {
        return minDelta;
    }

    public void setMinDelta(double minDelta) {
        this.minDelta = minDelta;
    }
}
