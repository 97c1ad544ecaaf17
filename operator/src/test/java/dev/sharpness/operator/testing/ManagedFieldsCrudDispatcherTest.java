package dev.sharpness.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock server writes managedFields as a real API server does. */
class ManagedFieldsCrudDispatcherTest {
    private KubernetesMockServer server;
    private KubernetesClient operator;
    private KubernetesClient kubelet;

    @BeforeEach
    void start() {
        server = ManagedFieldsCrudDispatcher.startServer();
        operator = client("sam-operator/0.1.0");
        kubelet = client("kubelet/v1.30.0 (linux/amd64) kubernetes/abc");
    }

    @AfterEach
    void stop() {
        operator.close();
        kubelet.close();
        server.destroy();
    }

    @Test
    void createRecordsTheCreatorsFieldsByItsUserAgent() {
        Pod created = operator.resource(pod()).create();

        ManagedFieldsEntry entry = single(created);
        assertThat(entry.getManager()).isEqualTo("sam-operator");
        assertThat(entry.getOperation()).isEqualTo("Update");
        assertThat(entry.getApiVersion()).isEqualTo("v1");
        assertThat(entry.getFieldsType()).isEqualTo("FieldsV1");
        assertThat(entry.getSubresource()).isNull();
        assertThat(entry.getTime()).isNotBlank();
        String fields = Serialization.asJson(entry.getFieldsV1());
        assertThat(fields)
                .contains("\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}}")
                .contains("\"k:{\\\"name\\\":\\\"trainer\\\"}\":{\".\":{}")
                .contains("\"k:{\\\"name\\\":\\\"SAM_RANK\\\"}\"")
                .contains("\"k:{\\\"containerPort\\\":50051,\\\"protocol\\\":\\\"TCP\\\"}\"")
                .contains("\"f:image\":{}")
                .doesNotContain("f:name\":{},\"f:namespace")
                .doesNotContain("f:status");
        // What the server stores is what it answered.
        assertThat(get().getMetadata().getManagedFields()).isEqualTo(List.of(entry));
    }

    @Test
    void aStatusWriteAddsItsOwnEntryAndKeepsTheCreators() {
        operator.resource(pod()).create();
        Pod running = get();
        running.getMetadata().setManagedFields(null);
        running.setStatus(
                new PodStatusBuilder()
                        .withPhase("Running")
                        .withPodIP("10.0.0.7")
                        .addNewCondition()
                        .withType("Ready")
                        .withStatus("True")
                        .endCondition()
                        .build());

        kubelet.resource(running).updateStatus();

        List<ManagedFieldsEntry> entries = get().getMetadata().getManagedFields();
        assertThat(entries)
                .extracting(ManagedFieldsEntry::getManager)
                .containsExactly("sam-operator", "kubelet");
        ManagedFieldsEntry status = entries.get(1);
        assertThat(status.getSubresource()).isEqualTo("status");
        assertThat(Serialization.asJson(status.getFieldsV1()))
                .startsWith("{\"f:status\":")
                .contains("\"k:{\\\"type\\\":\\\"Ready\\\"}\"")
                .contains("\"f:podIP\":{}")
                .doesNotContain("f:spec");
    }

    @Test
    void anUpdateWithoutManagedFieldsKeepsThemAndReplacesOnlyItsOwnEntry() {
        operator.resource(pod()).create();
        Pod edited = get();
        edited.getMetadata().setManagedFields(null);
        edited.getMetadata().getLabels().put("edited", "yes");

        operator.resource(edited).update();

        ManagedFieldsEntry entry = single(get());
        assertThat(entry.getManager()).isEqualTo("sam-operator");
        assertThat(Serialization.asJson(entry.getFieldsV1())).contains("\"f:edited\":{}");
    }

    private static ManagedFieldsEntry single(Pod pod) {
        assertThat(pod.getMetadata().getManagedFields()).hasSize(1);
        return pod.getMetadata().getManagedFields().get(0);
    }

    private Pod get() {
        return operator.pods().inNamespace("team-a").withName("job-0").get();
    }

    private KubernetesClient client(String userAgent) {
        try (KubernetesClient base = server.createClient()) {
            return new KubernetesClientBuilder()
                    .withConfig(
                            new ConfigBuilder(base.getConfiguration())
                                    .withUserAgent(userAgent)
                                    .build())
                    .build();
        }
    }

    private static Pod pod() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("job-0")
                .withNamespace("team-a")
                .withLabels(new HashMap<>(Map.of("app", "sam")))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("trainer")
                .withImage("sam-trainer:test")
                .addNewEnv()
                .withName("SAM_RANK")
                .withValue("0")
                .endEnv()
                .addNewPort()
                .withContainerPort(50051)
                .endPort()
                .endContainer()
                .endSpec()
                .build();
    }
}
