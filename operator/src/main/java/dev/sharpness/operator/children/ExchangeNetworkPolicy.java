package dev.sharpness.operator.children;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

/**
 * The NetworkPolicy {@code <job>-exchange}: the trainer pods accept the exchange port only from
 * this job's own pods and from the operator's pods (progress), and the metrics port from anywhere
 * (Prometheus; it serves numbers, no parameters).
 */
public final class ExchangeNetworkPolicy {
    private ExchangeNetworkPolicy() {}

    public static NetworkPolicy desired(SamTrainingJob job, String operatorNamespace) {
        String name = job.getMetadata().getName();
        IntOrString exchange = new IntOrString(job.getSpec().getCommunication().getPort());
        return new NetworkPolicyBuilder()
                .withMetadata(
                        Owners.ownedBy(job, JobNames.networkPolicy(job), Owners.jobLabels(job)))
                .withNewSpec()
                .withNewPodSelector()
                .addToMatchLabels(Constants.LABEL_JOB, name)
                .endPodSelector()
                .withPolicyTypes("Ingress")
                .addNewIngress()
                .addNewPort()
                .withProtocol("TCP")
                .withPort(exchange)
                .endPort()
                .addNewFrom()
                .withNewPodSelector()
                .addToMatchLabels(Constants.LABEL_JOB, name)
                .endPodSelector()
                .endFrom()
                .addNewFrom()
                .withNewNamespaceSelector()
                .addToMatchLabels("kubernetes.io/metadata.name", operatorNamespace)
                .endNamespaceSelector()
                .withNewPodSelector()
                .addToMatchLabels(JobNames.OPERATOR_POD_LABELS)
                .endPodSelector()
                .endFrom()
                .endIngress()
                .addNewIngress()
                .addNewPort()
                .withProtocol("TCP")
                .withPort(new IntOrString(TrainerPaths.METRICS_PORT))
                .endPort()
                .endIngress()
                .endSpec()
                .build();
    }
}
