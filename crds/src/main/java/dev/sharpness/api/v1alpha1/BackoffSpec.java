package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Exponential backoff between attempts: initial, doubled each attempt, capped at max. */
@ValidationRule(
        value = "self.initialSeconds <= self.maxSeconds",
        message = "initialSeconds must not exceed maxSeconds")
public class BackoffSpec {
    @Default("10")
    @Min(0)
    @Max(86400)
    @JsonPropertyDescription("Wait before the first retry, in seconds.")
    private int initialSeconds = 10;

    @Default("600")
    @Min(0)
    @Max(86400)
    @JsonPropertyDescription("Longest wait between attempts, in seconds.")
    private int maxSeconds = 600;

    public int getInitialSeconds() {
        return initialSeconds;
    }

    public void setInitialSeconds(int initialSeconds) {
        this.initialSeconds = initialSeconds;
    }

    public int getMaxSeconds() {
        return maxSeconds;
    }

    public void setMaxSeconds(int maxSeconds) {
        this.maxSeconds = maxSeconds;
    }
}
