package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One worker of the current attempt, as the operator last saw its pod. */
public class WorkerStatus {
    @JsonPropertyDescription("Rank: 0 (the x~ rank, writes checkpoints) or 1 (the y rank).")
    private Integer rank;

    @JsonPropertyDescription(
            "What the rank computes: perturbed (rank 0 of SAMPa), auxiliary (rank 1) or single.")
    private String role;

    @JsonPropertyDescription("Name of the worker's pod.")
    private String pod;

    @JsonPropertyDescription("Node the pod runs on.")
    private String node;

    @JsonPropertyDescription("The pod's phase: Pending, Running, Succeeded, Failed or Unknown.")
    private String phase;

    @JsonPropertyDescription("Exit code of the trainer container's last termination.")
    private Integer exitCode;

    @JsonPropertyDescription(
            "Why the container last terminated or is waiting (e.g. OOMKilled, ImagePullBackOff).")
    private String reason;

    public Integer getRank() {
        return rank;
    }

    public void setRank(Integer rank) {
        this.rank = rank;
    }

    public String getRole() {
        return role;
    }

    public void setRole(String role) {
        this.role = role;
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
    }

    public String getPhase() {
        return phase;
    }

    public void setPhase(String phase) {
        this.phase = phase;
    }

    public Integer getExitCode() {
        return exitCode;
    }

    public void setExitCode(Integer exitCode) {
        this.exitCode = exitCode;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }
}
