package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last worker failure and what the operator made of it. */
public class FailureStatus {
    @JsonPropertyDescription(
            "Rank of the failed worker (absent when the attempt as a whole failed).")
    private Integer rank;

    @JsonPropertyDescription("Exit code of the trainer container.")
    private Integer exitCode;

    @JsonPropertyDescription("Condition-style reason, e.g. PeerLost, Preempted, StartupTimeout.")
    private String reason;

    @JsonPropertyDescription("What happened, from the termination message or the pod.")
    private String message;

    @JsonPropertyDescription("When the operator saw it (RFC 3339).")
    private String time;

    @JsonPropertyDescription("Execution attempt that failed.")
    private Integer attempt;

    public Integer getRank() {
        return rank;
    }

    public void setRank(Integer rank) {
        this.rank = rank;
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

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getTime() {
        return time;
    }

    public void setTime(String time) {
        this.time = time;
    }

    public Integer getAttempt() {
        return attempt;
    }

    public void setAttempt(Integer attempt) {
        this.attempt = attempt;
    }
}
