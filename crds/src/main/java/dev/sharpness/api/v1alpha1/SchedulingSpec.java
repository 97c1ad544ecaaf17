package dev.sharpness.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Where and when the trainer pods are placed. */
public class SchedulingSpec {
    /** How the two pods of a SAMPa pair are placed relative to each other. */
    public enum Placement {
        /** Both pods on one node (required): the exchange never leaves the node. */
        @JsonProperty("SameNode")
        SAME_NODE,
        /** The pods on different nodes (required), e.g. one GPU per node. */
        @JsonProperty("Spread")
        SPREAD,
        /** Anywhere; the same node is preferred. */
        @JsonProperty("Any")
        ANY
    }

    @Default("Any")
    @JsonPropertyDescription(
            "SameNode (both pods on one node), Spread (on different nodes) or Any (same node"
                    + " preferred).")
    private Placement placement = Placement.ANY;

    @Pattern(Constants.DNS_1123_SUBDOMAIN_OR_EMPTY)
    @JsonPropertyDescription("PriorityClass of the trainer pods.")
    private String priorityClassName;

    @Pattern(Constants.DNS_1123_SUBDOMAIN_OR_EMPTY)
    @JsonPropertyDescription("Scheduler of the trainer pods, e.g. a gang scheduler.")
    private String schedulerName;

    @Pattern(Constants.DNS_1123_SUBDOMAIN_OR_EMPTY)
    @Size(max = 63)
    @JsonPropertyDescription(
            "Kueue LocalQueue: the pods get Kueue's pod-group labels and are admitted together."
                    + " At most 63 characters: the name becomes a label value.")
    private String queueName;

    @Default("600")
    @Min(10)
    @Max(86400)
    @JsonPropertyDescription(
            "Seconds for all pods of an attempt to be running; otherwise all are deleted, and the"
                    + " attempt is retried after a backoff (reason StartupTimeout).")
    private int startupDeadlineSeconds = 600;

    public Placement getPlacement() {
        return placement;
    }

    public void setPlacement(Placement placement) {
        this.placement = placement;
    }

    public String getPriorityClassName() {
        return priorityClassName;
    }

    public void setPriorityClassName(String priorityClassName) {
        this.priorityClassName = priorityClassName;
    }

    public String getSchedulerName() {
        return schedulerName;
    }

    public void setSchedulerName(String schedulerName) {
        this.schedulerName = schedulerName;
    }

    public String getQueueName() {
        return queueName;
    }

    public void setQueueName(String queueName) {
        this.queueName = queueName;
    }

    public int getStartupDeadlineSeconds() {
        return startupDeadlineSeconds;
    }

    public void setStartupDeadlineSeconds(int startupDeadlineSeconds) {
        this.startupDeadlineSeconds = startupDeadlineSeconds;
    }
}
