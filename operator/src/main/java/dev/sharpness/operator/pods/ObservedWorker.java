package dev.sharpness.operator.pods;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.worker.ExitCode;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the operator needs to know about one trainer pod, read from its status.
 *
 * @param rank the pod's rank label
 * @param attempt the pod's attempt label
 * @param pod the pod's name
 * @param node the node it was scheduled to, or null
 * @param phase the pod phase (Pending, Running, Succeeded, Failed, Unknown)
 * @param exitCode the trainer container's exit code once terminated, else null
 * @param reason why the container terminated or waits (OOMKilled, ImagePullBackOff, ...)
 * @param message the container's termination message (the trainer's summary, or an error)
 * @param finishedAt when the container terminated, or null
 * @param podIp the pod's IP, where rank 0 answers progress calls
 * @param conditions the types of the pod's conditions whose status is True
 * @param terminating the pod is marked for deletion (a deletionTimestamp) and not gone yet: its
 *     kubelet is stopping the container within the grace period
 */
public record ObservedWorker(
        int rank,
        int attempt,
        String pod,
        String node,
        String phase,
        Integer exitCode,
        String reason,
        String message,
        Instant finishedAt,
        String podIp,
        Set<String> conditions,
        boolean terminating) {
    /** The pod condition Kubernetes sets on a pod it is about to take away. */
    public static final String DISRUPTION_TARGET = "DisruptionTarget";

    public static ObservedWorker of(Pod pod) {
        var labels = pod.getMetadata().getLabels();
        int rank = Integer.parseInt(labels.getOrDefault(Constants.LABEL_RANK, "0"));
        int attempt = Integer.parseInt(labels.getOrDefault(Constants.LABEL_ATTEMPT, "0"));
        var status = pod.getStatus();
        String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
        Integer exitCode = null;
        String reason = null;
        String message = null;
        Instant finishedAt = null;
        String podIp = null;
        Set<String> conditions = new TreeSet<>();
        if (status != null) {
            podIp = status.getPodIP();
            for (ContainerStatus container : status.getContainerStatuses()) {
                if (!WorkerPods.CONTAINER.equals(container.getName())
                        || container.getState() == null) {
                    continue;
                }
                ContainerStateTerminated terminated = container.getState().getTerminated();
                if (terminated != null) {
                    exitCode = terminated.getExitCode();
                    reason = terminated.getReason();
                    message = terminated.getMessage();
                    finishedAt =
                            terminated.getFinishedAt() == null
                                    ? null
                                    : Instant.parse(terminated.getFinishedAt());
                } else if (container.getState().getWaiting() != null) {
                    reason = container.getState().getWaiting().getReason();
                    message = container.getState().getWaiting().getMessage();
                }
            }
            for (PodCondition condition : status.getConditions()) {
                if ("True".equals(condition.getStatus())) {
                    conditions.add(condition.getType());
                    if (DISRUPTION_TARGET.equals(condition.getType()) && reason == null) {
                        reason = condition.getReason();
                    }
                }
            }
            if (reason == null && status.getReason() != null) {
                reason = status.getReason();
            }
        }
        return new ObservedWorker(
                rank,
                attempt,
                pod.getMetadata().getName(),
                pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
                phase,
                exitCode,
                reason,
                message,
                finishedAt,
                podIp,
                conditions,
                pod.getMetadata().getDeletionTimestamp() != null);
    }

    /** The pod is being taken away: preemption, drain, eviction (a DisruptionTarget condition). */
    public boolean disrupted() {
        return conditions.contains(DISRUPTION_TARGET);
    }

    public boolean running() {
        return "Running".equals(phase);
    }

    public boolean succeeded() {
        return "Succeeded".equals(phase);
    }

    /** The worker contract's meaning of the exit code, if it has one. */
    public Optional<ExitCode> exit() {
        return exitCode == null ? Optional.empty() : ExitCode.of(exitCode);
    }

    /** Exited with the trainer's code for a lost peer or exchange timeout. */
    public boolean lostItsPeer() {
        return exit().filter(code -> code == ExitCode.PEER_LOST).isPresent();
    }

    /** Failed for good: the pod failed, or it is being taken away (disruption). */
    public boolean failed() {
        return "Failed".equals(phase) || (disrupted() && !succeeded());
    }
}
