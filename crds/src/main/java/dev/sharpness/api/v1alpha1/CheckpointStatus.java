package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The newest checkpoint the trainer reported. */
public class CheckpointStatus {
    @JsonPropertyDescription("Step the checkpoint was written at.")
    private Long step;

    @JsonPropertyDescription("File of the checkpoint inside the checkpoint volume.")
    private String path;

    @JsonPropertyDescription("When it was written (RFC 3339).")
    private String time;

    public Long getStep() {
        return step;
    }

    public void setStep(Long step) {
        this.step = step;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getTime() {
        return time;
    }

    public void setTime(String time) {
        this.time = time;
    }
}
