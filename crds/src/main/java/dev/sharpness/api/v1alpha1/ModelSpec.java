package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** The network. Input channels, image size and class count come from the dataset. */
public class ModelSpec {
    /** The architectures the trainer builds. */
    public enum Architecture {
        @JsonProperty("resnet20")
        RESNET20,
        @JsonProperty("resnet32")
        RESNET32,
        @JsonProperty("resnet56")
        RESNET56,
        @JsonProperty("wrn-28-2")
        WRN_28_2,
        @JsonProperty("wrn-28-10")
        WRN_28_10,
        @JsonProperty("cnn")
        CNN,
        @JsonProperty("mlp")
        MLP
    }

    @Required
    @JsonPropertyDescription(
            "resnet20, resnet32, resnet56 (CIFAR-style ResNets), wrn-28-2, wrn-28-10 (wide ResNets),"
                    + " cnn (a small convolutional network) or mlp (two hidden layers).")
    private Architecture architecture;

    public Architecture getArchitecture() {
        return architecture;
    }

    public void setArchitecture(Architecture architecture) {
        this.architecture = architecture;
    }
}
