package dev.sharpness.operator.children;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/**
 * The headless Service {@code <job>}: stable DNS names {@code <job>-0.<job>} and {@code
 * <job>-1.<job>} for the pair, published before the pods are ready (the pair needs each other to
 * become ready at all).
 */
public final class PairService {
    private PairService() {}

    public static Service desired(SamTrainingJob job) {
        return new ServiceBuilder()
                .withMetadata(Owners.ownedBy(job, JobNames.service(job), Owners.jobLabels(job)))
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .addToSelector(Constants.LABEL_JOB, job.getMetadata().getName())
                .addNewPort()
                .withName("exchange")
                .withPort(job.getSpec().getCommunication().getPort())
                .endPort()
                .endSpec()
                .build();
    }
}
