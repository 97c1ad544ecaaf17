package dev.sharpness.operator.testing;

import dev.sharpness.operator.pods.WorkerPods;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;

/** Pod statuses as a kubelet would write them; used by the pure tests and the test kubelet. */
public final class PodStates {
    private PodStates() {}

    public static Pod withStatus(Pod pod, PodStatus status) {
        return new PodBuilder(pod).withStatus(status).build();
    }

    public static PodStatus pending() {
        return new PodStatusBuilder().withPhase("Pending").build();
    }

    public static PodStatus running(String podIp) {
        return new PodStatusBuilder()
                .withPhase("Running")
                .withPodIP(podIp)
                .addToContainerStatuses(
                        new ContainerStatusBuilder()
                                .withName(WorkerPods.CONTAINER)
                                .withReady(true)
                                .withNewState()
                                .withNewRunning()
                                .withStartedAt(Instant.now().toString())
                                .endRunning()
                                .endState()
                                .build())
                .build();
    }

    /** Terminated with {@code exitCode}; 0 is Succeeded, anything else Failed. */
    public static PodStatus terminated(int exitCode, String message, Instant finishedAt) {
        return new PodStatusBuilder()
                .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .addToContainerStatuses(
                        new ContainerStatusBuilder()
                                .withName(WorkerPods.CONTAINER)
                                .withNewState()
                                .withNewTerminated()
                                .withExitCode(exitCode)
                                .withReason(exitCode == 0 ? "Completed" : "Error")
                                .withMessage(message)
                                .withFinishedAt(finishedAt.toString())
                                .endTerminated()
                                .endState()
                                .build())
                .build();
    }

    /** Running, but marked for preemption or drain (the DisruptionTarget condition). */
    public static PodStatus disrupted(String podIp) {
        PodStatus status = running(podIp);
        status.getConditions()
                .add(
                        new PodConditionBuilder()
                                .withType("DisruptionTarget")
                                .withStatus("True")
                                .withReason("PreemptionByScheduler")
                                .build());
        return status;
    }
}
