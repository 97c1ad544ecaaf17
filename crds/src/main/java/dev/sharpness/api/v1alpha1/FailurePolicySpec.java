package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * How worker failures are handled. A failure always restarts the whole pair (its ranks hold
 * replicated state). The job's rules are tried first, then the built-in ones: exit codes 2 (invalid
 * configuration) and 4 (diverged) fail the job, a DisruptionTarget condition (preemption, drain)
 * restarts without counting, anything else restarts and counts.
 */
public class FailurePolicySpec {
    @Default("3")
    @Min(0)
    @Max(1000)
    @JsonPropertyDescription(
            "Restarts that count toward the limit before the job fails (BackoffLimitExceeded).")
    private int maxRestarts = 3;

    @JsonPropertyDescription("Exponential backoff between attempts.")
    private BackoffSpec backoff = new BackoffSpec();

    @Size(max = 16)
    @JsonPropertyDescription(
            "Rules tried in order before the built-in ones; the first that matches decides.")
    private List<FailureRule> rules;

    public int getMaxRestarts() {
        return maxRestarts;
    }

    public void setMaxRestarts(int maxRestarts) {
        this.maxRestarts = maxRestarts;
    }

    public BackoffSpec getBackoff() {
        return backoff;
    }

    public void setBackoff(BackoffSpec backoff) {
        this.backoff = backoff;
    }

    public List<FailureRule> getRules() {
        return rules;
    }

    public void setRules(List<FailureRule> rules) {
        this.rules = rules;
    }
}
