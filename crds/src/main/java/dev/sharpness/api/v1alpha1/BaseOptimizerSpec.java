package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum (PyTorch semantics, coupled weight decay) or AdamW (decoupled weight decay).
 */
public class BaseOptimizerSpec {
    /** The base optimizers. */
    public enum Type {
        SGD,
        @JsonProperty("AdamW")
        ADAMW
    }

    @Default("SGD")
    @JsonPropertyDescription("SGD (momentum, Nesterov, coupled weight decay) or AdamW.")
    private Type type = Type.SGD;

    @Default("0.1")
    @Min(value = 0.0, inclusive = false)
    @Max(100.0)
    @JsonPropertyDescription("Peak learning rate; the schedule scales it per step.")
    private double learningRate = 0.1;

    @Default("0.9")
    @Min(0.0)
    @Max(value = 1.0, inclusive = false)
    @JsonPropertyDescription("SGD momentum (0 = none).")
    private double momentum = 0.9;

    @Default("false")
    @JsonPropertyDescription("Nesterov momentum (SGD only).")
    private boolean nesterov = false;

    @Default("5.0e-4")
    @Min(0.0)
    @Max(1.0)
    @JsonPropertyDescription(
            "Weight decay: added to the gradient for SGD (coupled), applied to the weights for AdamW.")
    private double weightDecay = 5.0e-4;

    @Size(min = 2, max = 2)
    @ValidationRule(
            value = "self.all(beta, beta >= 0.0 && beta < 1.0)",
            message = "each beta must be at least 0 and less than 1")
    @JsonPropertyDescription("AdamW's beta1 and beta2, each in [0, 1).")
    private List<Double> betas = new ArrayList<>(List.of(0.9, 0.999));

    @Default("1.0e-8")
    @Min(value = 0.0, inclusive = false)
    @Max(1.0)
    @JsonPropertyDescription("AdamW's epsilon.")
    private double epsilon = 1.0e-8;

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public double getLearningRate() {
        return learningRate;
    }

    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    public double getMomentum() {
        return momentum;
    }

    public void setMomentum(double momentum) {
        this.momentum = momentum;
    }

    public boolean isNesterov() {
        return nesterov;
    }

    public void setNesterov(boolean nesterov) {
        this.nesterov = nesterov;
    }

    public double getWeightDecay() {
        return weightDecay;
    }

    public void setWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    public List<Double> getBetas() {
        return betas;
    }

    public void setBetas(List<Double> betas) {
        this.betas = betas;
    }

    public double getEpsilon() {
        return epsilon;
    }

    public void setEpsilon(double epsilon) {
        this.epsilon = epsilon;
    }
}
