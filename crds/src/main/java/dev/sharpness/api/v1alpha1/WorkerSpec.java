package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The trainer containers: image, resources and what a platform may add to their pods. */
public class WorkerSpec {
    @JsonPropertyDescription(
            "Trainer image. Absent: the operator's default (its configuration names it).")
    private String image;

    @JsonPropertyDescription(
            "Resources of each trainer container, e.g. limits: {nvidia.com/gpu: 1, memory: 16Gi}.")
    private ResourcesSpec resources;

    @JsonPropertyDescription(
            "What may be added to each trainer pod: labels, annotations, nodeSelector,"
                    + " tolerations, env, imagePullSecrets, serviceAccountName.")
    private WorkerTemplateSpec template;

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public ResourcesSpec getResources() {
        return resources;
    }

    public void setResources(ResourcesSpec resources) {
        this.resources = resources;
    }

    public WorkerTemplateSpec getTemplate() {
        return template;
    }

    public void setTemplate(WorkerTemplateSpec template) {
        this.template = template;
    }
}
