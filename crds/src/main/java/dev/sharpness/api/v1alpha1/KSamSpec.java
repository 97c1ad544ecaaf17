package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** K-SAM's sample selection (only with method KSAM): a count, or else a fraction of the batch. */
public class KSamSpec {
    @Min(1)
    @Max(65536)
    @JsonPropertyDescription(
            "Samples per batch that both SAM passes use: the k with the highest loss. Takes"
                    + " precedence over topFraction; capped at the batch size.")
    private Integer topK;

    @Default("0.5")
    @Min(value = 0.0, inclusive = false)
    @Max(1.0)
    @JsonPropertyDescription("k as a fraction of the batch (rounded up) when topK is absent.")
    private double topFraction = 0.5;

    public Integer getTopK() {
        return topK;
    }

    public void setTopK(Integer topK) {
        this.topK = topK;
    }

    public double getTopFraction() {
        return topFraction;
    }

    public void setTopFraction(double topFraction) {
        this.topFraction = topFraction;
    }

    /** k for a batch of {@code batchSize} samples. */
    public int k(int batchSize) {
        int k = topK != null ? topK : (int) Math.ceil(topFraction * batchSize);
        return Math.max(1, Math.min(k, batchSize));
    }
}
