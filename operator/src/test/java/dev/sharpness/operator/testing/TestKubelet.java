package dev.sharpness.operator.testing;

import dev.sharpness.api.v1alpha1.Constants;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;

/**
 * Plays the kubelet against the mock API server: moves the operator's pods through phases and
 * writes exit codes, termination messages and conditions into their status, when a test says so.
 */
public final class TestKubelet {
    private final KubernetesClient client;
    private final String namespace;

    public TestKubelet(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    public List<Pod> pods(String job) {
        return client
                .pods()
                .inNamespace(namespace)
                .withLabel(Constants.LABEL_JOB, job)
                .list()
                .getItems()
                .stream()
                .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
    }

    /** Every pod of the job runs, answering on 127.0.0.1 (where the test's servers listen). */
    public void runAll(String job) {
        for (Pod pod : pods(job)) {
            if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())) {
                set(pod, PodStates.running("127.0.0.1"));
            }
        }
    }

    public void terminate(String podName, int exitCode, String message) {
        set(pod(podName), PodStates.terminated(exitCode, message, Instant.now()));
    }

    public void disrupt(String podName) {
        set(pod(podName), PodStates.disrupted("127.0.0.1"));
    }

    public Pod pod(String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    private void set(Pod pod, PodStatus status) {
        pod.setStatus(status);
        client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }
}
