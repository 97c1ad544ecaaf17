package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Written only by the operator. The operator issue completes it (conditions, workers, progress).
 */
public class SamTrainingJobStatus {
    @JsonPropertyDescription("The generation of the spec this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription(
            "Pending, Starting, Running, Restarting, Suspended, Succeeded or Failed, for kubectl get.")
    private String phase;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public String getPhase() {
        return phase;
    }

    public void setPhase(String phase) {
        this.phase = phase;
    }
}
