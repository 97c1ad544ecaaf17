package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What to do when a worker fails with one of these exit codes or pod conditions. */
@ValidationRule(
        value = "has(self.onExitCodes) != has(self.onPodConditions)",
        message = "a rule names either onExitCodes or onPodConditions, not both and not neither")
public class FailureRule {
    /** What a matching failure does to the job. */
    public enum Action {
        /** Restart the whole pair from the last checkpoint; counts toward maxRestarts. */
        @JsonProperty("Restart")
        RESTART,
        /** Restart the whole pair; does not count toward maxRestarts. */
        @JsonProperty("RestartIgnoringLimit")
        RESTART_IGNORING_LIMIT,
        /** Fail the job without a retry. */
        @JsonProperty("Fail")
        FAIL
    }

    @Required
    @JsonPropertyDescription("Restart, RestartIgnoringLimit or Fail.")
    private Action action;

    @Size(min = 1, max = 32)
    @JsonPropertyDescription("Trainer exit codes this rule matches.")
    private List<Integer> onExitCodes;

    @Size(min = 1, max = 8)
    @JsonPropertyDescription(
            "Pod condition types (status True) this rule matches, e.g. DisruptionTarget.")
    private List<String> onPodConditions;

    public FailureRule() {}

    public FailureRule(Action action, List<Integer> onExitCodes, List<String> onPodConditions) {
        this.action = action;
        this.onExitCodes = onExitCodes;
        this.onPodConditions = onPodConditions;
    }

    public Action getAction() {
        return action;
    }

    public void setAction(Action action) {
        this.action = action;
    }

    public List<Integer> getOnExitCodes() {
        return onExitCodes;
    }

    public void setOnExitCodes(List<Integer> onExitCodes) {
        this.onExitCodes = onExitCodes;
    }

    public List<String> getOnPodConditions() {
        return onPodConditions;
    }

    public void setOnPodConditions(List<String> onPodConditions) {
        this.onPodConditions = onPodConditions;
    }
}
