package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * When the sharpness-aware method takes over from its base optimizer: from an epoch, or after a
 * fraction of the run's steps. Before that point every step is a plain base-optimizer step.
 */
@ValidationRule(
        value = SharpnessFromSpec.EPOCH_OR_FRACTION,
        message = "sharpnessFrom takes exactly one of epoch or fraction")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SharpnessFromSpec {
    static final String EPOCH_OR_FRACTION = "has(self.epoch) != has(self.fraction)";

    @Min(1)
    @Max(100000)
    @JsonPropertyDescription(
            "The first epoch (counted from 1) that uses the method; the epochs before it are base"
                    + " optimizer steps. 1 is the method from the start.")
    private Integer epoch;

    @Min(0.0)
    @Max(value = 1.0, inclusive = false)
    @JsonPropertyDescription(
            "The fraction of the run's steps (epochs x steps per epoch; maxSteps does not change"
                    + " it, as it does not change the schedule) done by the base optimizer before"
                    + " the method takes over: 0.75 applies sharpness to the last quarter.")
    private Double fraction;

    public Integer getEpoch() {
        return epoch;
    }

    public void setEpoch(Integer epoch) {
        this.epoch = epoch;
    }

    public Double getFraction() {
        return fraction;
    }

    public void setFraction(Double fraction) {
        this.fraction = fraction;
    }

    /** The first step (counted from 0) that uses the method, in a run of {@code epochs} epochs. */
    public long firstStep(long stepsPerEpoch, int epochs) {
        if (epoch != null) {
            return (epoch - 1) * stepsPerEpoch;
        }
        return (long) Math.floor(fraction * stepsPerEpoch * epochs);
    }
}
