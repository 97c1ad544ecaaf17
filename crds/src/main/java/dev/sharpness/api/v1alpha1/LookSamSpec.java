package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** LookSAM's reuse of the sharpness direction (only with method LookSAM). */
public class LookSamSpec {
    @Default("5")
    @Min(1)
    @Max(10000)
    @JsonPropertyDescription("k: a full SAM step every k steps (step 0 always); 1 is plain SAM.")
    private int interval = 5;

    @Default("0.7")
    @Min(0.0)
    @Max(10.0)
    @JsonPropertyDescription("Weight of the stored sharpness direction on the steps in between.")
    private double alpha = 0.7;

    @Default("false")
    @JsonPropertyDescription("Scale the stored direction per tensor instead of by global norms.")
    private boolean perTensor = false;

    public int getInterval() {
        return interval;
    }

    public void setInterval(int interval) {
        this.interval = interval;
    }

    public double getAlpha() {
        return alpha;
    }

    public void setAlpha(double alpha) {
        this.alpha = alpha;
    }

    public boolean isPerTensor() {
        return perTensor;
    }

    public void setPerTensor(boolean perTensor) {
        this.perTensor = perTensor;
    }
}
