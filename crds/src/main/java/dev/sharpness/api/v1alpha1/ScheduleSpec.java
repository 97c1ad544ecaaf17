package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * Learning rate as a function of the trainer's own global step, with an optional linear warm-up.
 */
public class ScheduleSpec {
    /** Schedule shapes. */
    public enum Type {
        @JsonProperty("constant")
        CONSTANT,
        /** Multiply by {@code gamma} at each milestone epoch. */
        @JsonProperty("step")
        STEP,
        /** Cosine decay from the peak to zero over the run. */
        @JsonProperty("cosine")
        COSINE
    }

    /** How often the cosine schedule changes the learning rate. */
    public enum Granularity {
        @JsonProperty("step")
        STEP,
        @JsonProperty("epoch")
        EPOCH
    }

    @Default("cosine")
    @JsonPropertyDescription("constant, step (milestones, gamma) or cosine.")
    private Type type = Type.COSINE;

    @Default("step")
    @JsonPropertyDescription("Cosine updates the learning rate every step or once per epoch.")
    private Granularity per = Granularity.STEP;

    @Default("0.0")
    @Min(0.0)
    @Max(1000.0)
    @JsonPropertyDescription("Epochs of linear warm-up from 0 to the peak learning rate.")
    private double warmupEpochs = 0.0;

    @Size(max = 32)
    @JsonPropertyDescription(
            "Epochs at which the step schedule multiplies the learning rate by gamma.")
    private List<Integer> milestones = new ArrayList<>();

    @Default("0.1")
    @Min(value = 0.0, inclusive = false)
    @Max(1.0)
    @JsonPropertyDescription("Factor the step schedule applies at each milestone.")
    private double gamma = 0.1;

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public Granularity getPer() {
        return per;
    }

    public void setPer(Granularity per) {
        this.per = per;
    }

    public double getWarmupEpochs() {
        return warmupEpochs;
    }

    public void setWarmupEpochs(double warmupEpochs) {
        this.warmupEpochs = warmupEpochs;
    }

    public List<Integer> getMilestones() {
        return milestones;
    }

    public void setMilestones(List<Integer> milestones) {
        this.milestones = milestones;
    }

    public double getGamma() {
        return gamma;
    }

    public void setGamma(double gamma) {
        this.gamma = gamma;
    }
}
