package dev.sharpness.operator.testing;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.operator.testing.apiserver.StrictApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the kubelet against the mock API server: moves the operator's pods through phases and
 * writes exit codes, termination messages and conditions into their status when a test says so, and
 * stops deleted pods as a kubelet does: a pod marked for deletion gets SIGTERM, its trainer
 * checkpoints and exits 143, the kubelet reports that exit, and only then lets the API server
 * remove the pod. A test can hold stopping pods in their grace period ({@link #holdTerminations()})
 * to act while the old pods are still there.
 */
public final class TestKubelet implements AutoCloseable {
    /** How a trainer ends on SIGTERM (128 + 15), after writing a checkpoint. */
    public static final int SIGTERM_EXIT = 143;

    private final KubernetesClient client;
    private final String namespace;
    private final ScheduledExecutorService loop =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread thread = new Thread(r, "test-kubelet");
                        thread.setDaemon(true);
                        return thread;
                    });
    private volatile boolean holding;

    public TestKubelet(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        loop.scheduleWithFixedDelay(this::stopDeletedPods, 100, 100, TimeUnit.MILLISECONDS);
    }

    public List<Pod> pods(String job) {
        return client
                .pods()
                .inNamespace(namespace)
                .withLabel(Constants.LABEL_JOB, job)
                .list()
                .getItems()
                .stream()
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
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

    /** Deleted pods stay in their grace period, still running, until {@link #release()}. */
    public void holdTerminations() {
        holding = true;
    }

    /** Deleted pods stop (exit 143) and go. */
    public void release() {
        holding = false;
    }

    /** The pods of the job that are marked for deletion but not gone yet. */
    public List<Pod> terminating(String job) {
        return pods(job).stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() != null)
                .toList();
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }

    private void stopDeletedPods() {
        if (holding) {
            return;
        }
        try {
            for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
                if (pod.getMetadata().getDeletionTimestamp() != null
                        && pod.getMetadata()
                                .getFinalizers()
                                .contains(StrictApiServer.GRACEFUL_DELETION)) {
                    stop(pod);
                }
            }
        } catch (KubernetesClientException e) {
            // The server is going away with the test; the next tick tries again.
        }
    }

    /** SIGTERM: a running container checkpoints and exits 143; then the pod may go. */
    private void stop(Pod pod) {
        String name = pod.getMetadata().getName();
        if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
            set(
                    pod,
                    PodStates.terminated(
                            SIGTERM_EXIT,
                            "stopped by SIGTERM after a checkpoint",
                            Instant.now().truncatedTo(ChronoUnit.SECONDS)));
        }
        try {
            client.pods()
                    .inNamespace(namespace)
                    .withName(name)
                    .edit(
                            p -> {
                                p.getMetadata()
                                        .getFinalizers()
                                        .remove(StrictApiServer.GRACEFUL_DELETION);
                                return p;
                            });
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void set(Pod pod, PodStatus status) {
        pod.setStatus(status);
        client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }
}
