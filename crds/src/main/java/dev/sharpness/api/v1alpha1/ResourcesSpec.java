package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/**
 * Requests and limits of each trainer container, as in a pod, with bounded maps (the API server
 * checks bounds before it runs a job's CEL rules).
 */
public class ResourcesSpec {
    @Size(max = 16)
    @JsonPropertyDescription("Most the container may use, e.g. {nvidia.com/gpu: 1, memory: 16Gi}.")
    private Map<String, Quantity> limits;

    @Size(max = 16)
    @JsonPropertyDescription("What the scheduler reserves, e.g. {cpu: 4, memory: 16Gi}.")
    private Map<String, Quantity> requests;

    public Map<String, Quantity> getLimits() {
        return limits;
    }

    public void setLimits(Map<String, Quantity> limits) {
        this.limits = limits;
    }

    public Map<String, Quantity> getRequests() {
        return requests;
    }

    public void setRequests(Map<String, Quantity> requests) {
        this.requests = requests;
    }
}
