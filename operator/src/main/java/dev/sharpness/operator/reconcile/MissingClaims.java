package dev.sharpness.operator.reconcile;

import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.api.v1alpha1.VolumeClaimSpec;
import dev.sharpness.operator.pods.ObservedWorker;
import dev.sharpness.operator.status.Times;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The claims a job's spec names that do not exist: only the operator can see those. */
final class MissingClaims {
    private MissingClaims() {}

    /**
     * Whether the claims matter now: when the job may create the pods of an attempt (it has no
     * pods, is neither finished nor suspended, and waits out no backoff). Other reconciles skip the
     * lookup, so a running job costs the API server no extra request.
     */
    static boolean due(SamTrainingJob job, List<ObservedWorker> workers, Instant now) {
        SamTrainingJobStatus status = job.getStatus();
        if (!workers.isEmpty() || job.getSpec().isSuspend()) {
            return false;
        }
        if (status == null) {
            return true;
        }
        Instant next = Times.parse(status.getNextAttemptTime());
        return (status.getPhase() == null || !status.getPhase().isFinished())
                && (next == null || !now.isBefore(next));
    }

    /** The first missing claim, as a message naming its field. */
    static Optional<String> find(SamTrainingJob job, KubernetesClient client) {
        return missing(
                        "spec.dataset.volume.claimName",
                        job.getSpec().getDataset().getVolume(),
                        job,
                        client)
                .or(
                        () ->
                                missing(
                                        "spec.checkpoint.volume.claimName",
                                        job.getSpec().getCheckpoint().getVolume(),
                                        job,
                                        client));
    }

    private static Optional<String> missing(
            String field, VolumeClaimSpec volume, SamTrainingJob job, KubernetesClient client) {
        if (volume == null) {
            return Optional.empty();
        }
        String namespace = job.getMetadata().getNamespace();
        PersistentVolumeClaim found =
                client.persistentVolumeClaims()
                        .inNamespace(namespace)
                        .withName(volume.getClaimName())
                        .get();
        return found != null
                ? Optional.empty()
                : Optional.of(
                        field
                                + ": PersistentVolumeClaim \""
                                + volume.getClaimName()
                                + "\" does not exist in namespace "
                                + namespace);
    }
}
