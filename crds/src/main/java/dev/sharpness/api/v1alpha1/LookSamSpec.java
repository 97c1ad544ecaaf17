package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * LookSAM's reuse of the sharpness direction (only with method LookSAM), and its layer-wise variant
 * Look-LayerSAM ({@link #isLayerwise()}).
 */
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

    // Left out of the JSON when false, so that the training identity (a hash of it) of a job
    // written before this field existed does not change.
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    @Default("false")
    @JsonPropertyDescription(
            "Look-LayerSAM: perturb each parameter tensor j by rho * ||x_j|| * g_j / ||g_j||, so rho"
                    + " is a fraction of each tensor's own norm (the LookSAM paper's variant for very"
                    + " large batches); not with adaptive.")
    private boolean layerwise = false;

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

    public boolean isLayerwise() {
        return layerwise;
    }

    public void setLayerwise(boolean layerwise) {
        this.layerwise = layerwise;
    }
}
