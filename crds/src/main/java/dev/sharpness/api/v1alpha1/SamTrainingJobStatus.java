package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * Written only by the operator: what the job is doing and how it went. Never derived from the last
 * condition alone.
 */
public class SamTrainingJobStatus {
    @JsonPropertyDescription("The generation of the spec this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription(
            "Pending, Starting, Running, Restarting, Suspended, Succeeded or Failed.")
    private Phase phase;

    @JsonPropertyDescription(
            "Suspended, PodsReady, Restarting, Stalled, Complete and Failed, each with a reason.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("When the first attempt's pods were created (RFC 3339).")
    private String startTime;

    @JsonPropertyDescription("When the job succeeded or failed (RFC 3339).")
    private String completionTime;

    @JsonPropertyDescription("Pair restarts so far, of any cause.")
    private int restarts;

    @JsonPropertyDescription(
            "Restarts that count toward failurePolicy.maxRestarts (disruptions do not).")
    private int restartsCountTowardsLimit;

    @JsonPropertyDescription(
            "The current attempt, from 0; pods carry it as a label and the trainer as SAM_ATTEMPT.")
    private int executionAttempt;

    @JsonPropertyDescription(
            "When the current attempt's pods were created (RFC 3339); the startup deadline counts from here.")
    private String attemptStartTime;

    @JsonPropertyDescription("When the next attempt may start, after the backoff (RFC 3339).")
    private String nextAttemptTime;

    @JsonPropertyDescription("The workers of the current attempt.")
    private List<WorkerStatus> workers = new ArrayList<>();

    @JsonPropertyDescription("Training progress, read from rank 0 while it runs.")
    private ProgressStatus progress;

    @JsonPropertyDescription("The newest checkpoint, which the next attempt resumes from.")
    private CheckpointStatus lastCheckpoint;

    @JsonPropertyDescription("The last worker failure.")
    private FailureStatus lastFailure;

    @JsonPropertyDescription("Final metrics, once the job succeeded.")
    private ResultStatus result;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public Phase getPhase() {
        return phase;
    }

    public void setPhase(Phase phase) {
        this.phase = phase;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public String getStartTime() {
        return startTime;
    }

    public void setStartTime(String startTime) {
        this.startTime = startTime;
    }

    public String getCompletionTime() {
        return completionTime;
    }

    public void setCompletionTime(String completionTime) {
        this.completionTime = completionTime;
    }

    public int getRestarts() {
        return restarts;
    }

    public void setRestarts(int restarts) {
        this.restarts = restarts;
    }

    public int getRestartsCountTowardsLimit() {
        return restartsCountTowardsLimit;
    }

    public void setRestartsCountTowardsLimit(int restartsCountTowardsLimit) {
        this.restartsCountTowardsLimit = restartsCountTowardsLimit;
    }

    public int getExecutionAttempt() {
        return executionAttempt;
    }

    public void setExecutionAttempt(int executionAttempt) {
        this.executionAttempt = executionAttempt;
    }

    public String getAttemptStartTime() {
        return attemptStartTime;
    }

    public void setAttemptStartTime(String attemptStartTime) {
        this.attemptStartTime = attemptStartTime;
    }

    public String getNextAttemptTime() {
        return nextAttemptTime;
    }

    public void setNextAttemptTime(String nextAttemptTime) {
        this.nextAttemptTime = nextAttemptTime;
    }

    public List<WorkerStatus> getWorkers() {
        return workers;
    }

    public void setWorkers(List<WorkerStatus> workers) {
        this.workers = workers;
    }

    public ProgressStatus getProgress() {
        return progress;
    }

    public void setProgress(ProgressStatus progress) {
        this.progress = progress;
    }

    public CheckpointStatus getLastCheckpoint() {
        return lastCheckpoint;
    }

    public void setLastCheckpoint(CheckpointStatus lastCheckpoint) {
        this.lastCheckpoint = lastCheckpoint;
    }

    public FailureStatus getLastFailure() {
        return lastFailure;
    }

    public void setLastFailure(FailureStatus lastFailure) {
        this.lastFailure = lastFailure;
    }

    public ResultStatus getResult() {
        return result;
    }

    public void setResult(ResultStatus result) {
        this.result = result;
    }
}
