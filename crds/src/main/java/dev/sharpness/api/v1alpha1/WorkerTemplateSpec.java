package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * The part of a trainer pod a job may shape. Deliberately not a full pod template: security
 * context, volumes, ports and the command stay the operator's, so one tenant's job cannot weaken
 * the pair's isolation.
 */
public class WorkerTemplateSpec {
    @Size(max = 32)
    @JsonPropertyDescription("Labels added to the trainer pods (the operator's own labels win).")
    private Map<String, String> labels;

    @Size(max = 32)
    @JsonPropertyDescription("Annotations added to the trainer pods.")
    private Map<String, String> annotations;

    @Size(max = 32)
    @JsonPropertyDescription("Node labels the trainer pods must match, e.g. a GPU model.")
    private Map<String, String> nodeSelector;

    @Size(max = 32)
    @JsonPropertyDescription("Tolerations, e.g. for tainted GPU nodes.")
    private List<Toleration> tolerations;

    @Size(max = 64)
    @JsonPropertyDescription(
            "Extra environment of the trainer container (the SAM_* contract variables win).")
    private List<EnvVar> env;

    @Size(max = 8)
    @JsonPropertyDescription("Secrets for pulling a private trainer image.")
    private List<LocalObjectReference> imagePullSecrets;

    @Pattern(Constants.DNS_1123_SUBDOMAIN)
    @JsonPropertyDescription(
            "Service account of the trainer pods. Absent: none is mounted (the trainer never calls"
                    + " the Kubernetes API).")
    private String serviceAccountName;

    public Map<String, String> getLabels() {
        return labels;
    }

    public void setLabels(Map<String, String> labels) {
        this.labels = labels;
    }

    public Map<String, String> getAnnotations() {
        return annotations;
    }

    public void setAnnotations(Map<String, String> annotations) {
        this.annotations = annotations;
    }

    public Map<String, String> getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public List<Toleration> getTolerations() {
        return tolerations;
    }

    public void setTolerations(List<Toleration> tolerations) {
        this.tolerations = tolerations;
    }

    public List<EnvVar> getEnv() {
        return env;
    }

    public void setEnv(List<EnvVar> env) {
        this.env = env;
    }

    public List<LocalObjectReference> getImagePullSecrets() {
        return imagePullSecrets;
    }

    public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) {
        this.imagePullSecrets = imagePullSecrets;
    }

    public String getServiceAccountName() {
        return serviceAccountName;
    }

    public void setServiceAccountName(String serviceAccountName) {
        this.serviceAccountName = serviceAccountName;
    }
}
