package dev.sharpness.operator.events;

import dev.sharpness.api.v1alpha1.SamTrainingJob;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Records the lifecycle's transitions as Kubernetes events on the job (kubectl describe). */
public final class JobEvents {
    private static final Logger LOG = Logger.getLogger(JobEvents.class);
    private static final String COMPONENT = "sam-operator";

    private final KubernetesClient client;

    public JobEvents(KubernetesClient client) {
        this.client = client;
    }

    public void record(SamTrainingJob job, JobEvent event, Instant now) {
        String time = now.toString();
        try {
            client.v1()
                    .events()
                    .inNamespace(job.getMetadata().getNamespace())
                    .resource(
                            new EventBuilder()
                                    .withNewMetadata()
                                    .withName(
                                            job.getMetadata().getName()
                                                    + "."
                                                    + UUID.randomUUID().toString().substring(0, 8))
                                    .withNamespace(job.getMetadata().getNamespace())
                                    .endMetadata()
                                    .withInvolvedObject(
                                            new ObjectReferenceBuilder()
                                                    .withApiVersion(job.getApiVersion())
                                                    .withKind(job.getKind())
                                                    .withName(job.getMetadata().getName())
                                                    .withNamespace(job.getMetadata().getNamespace())
                                                    .withUid(job.getMetadata().getUid())
                                                    .build())
                                    .withType(event.warning() ? "Warning" : "Normal")
                                    .withReason(event.reason())
                                    .withMessage(event.message())
                                    .withFirstTimestamp(time)
                                    .withLastTimestamp(time)
                                    .withCount(1)
                                    .withNewSource()
                                    .withComponent(COMPONENT)
                                    .endSource()
                                    .build())
                    .create();
        } catch (KubernetesClientException e) {
            // An event is a courtesy; the status holds the truth.
            LOG.debugf(
                    "event %s on %s not recorded: %s",
                    event.reason(), job.getMetadata().getName(), e.getMessage());
        }
    }
}
