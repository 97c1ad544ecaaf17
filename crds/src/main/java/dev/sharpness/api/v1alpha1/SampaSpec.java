package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** SAMPa's parameters (only with method SAMPa). */
public class SampaSpec {
    @Default("0.2")
    @Min(0.0)
    @Max(1.0)
    @JsonPropertyDescription(
            "Mixing weight: each step follows (1 - lambda) * g(x~) + lambda * g(y). SAMPa-0.2 is the"
                    + " paper's default; 0 is a true SAMPa-0, not SGD.")
    private double lambda = 0.2;

    public double getLambda() {
        return lambda;
    }

    public void setLambda(double lambda) {
        this.lambda = lambda;
    }
}
