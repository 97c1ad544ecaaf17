package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a job is in its life, for {@code kubectl get}. */
public enum Phase {
    /** Accepted, nothing created yet (or waiting out a backoff before the first attempt). */
    @JsonProperty("Pending")
    PENDING,
    /** Pods created; waiting for all of them to run. */
    @JsonProperty("Starting")
    STARTING,
    /** All workers running. */
    @JsonProperty("Running")
    RUNNING,
    /** A worker failed: the pods are gone and the next attempt waits out its backoff. */
    @JsonProperty("Restarting")
    RESTARTING,
    /** Suspended by the user: no pods, the checkpoint kept. */
    @JsonProperty("Suspended")
    SUSPENDED,
    /** Training finished; the result is in the status. */
    @JsonProperty("Succeeded")
    SUCCEEDED,
    /** Given up; the Failed condition says why. */
    @JsonProperty("Failed")
    FAILED;

    /** The name Kubernetes shows. */
    public String display() {
        String lower = name().toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED;
    }
}
