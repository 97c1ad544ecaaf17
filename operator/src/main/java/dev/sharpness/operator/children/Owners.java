package dev.sharpness.operator.children;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metadata of everything the operator creates: in the job's namespace, labelled with the job, and
 * owned by it (so Kubernetes deletes it with the job).
 */
public final class Owners {
    private Owners() {}

    public static Map<String, String> jobLabels(SamTrainingJob job) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Constants.LABEL_JOB, job.getMetadata().getName());
        labels.put(Constants.LABEL_MANAGED_BY, Constants.MANAGED_BY);
        return labels;
    }

    public static ObjectMeta ownedBy(SamTrainingJob job, String name, Map<String, String> labels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(job.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(
                        new OwnerReferenceBuilder()
                                .withApiVersion(Constants.API_VERSION)
                                .withKind(Constants.KIND)
                                .withName(job.getMetadata().getName())
                                .withUid(job.getMetadata().getUid())
                                .withController(true)
                                // blockOwnerDeletion would need update on the jobs' finalizers,
                                // which the operator's RBAC does not grant.
                                .build())
                .build();
    }
}
