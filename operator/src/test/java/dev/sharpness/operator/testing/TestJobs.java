package dev.sharpness.operator.testing;

import static org.awaitility.Awaitility.await;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/** Jobs for tests, parsed from YAML as a user would write them. */
public final class TestJobs {
    public static final String NAMESPACE = "team-a";

    private TestJobs() {}

    /**
     * Changes a job in {@link #NAMESPACE} as a user would: on a conflict with the operator's status
     * write, reads it again and retries.
     */
    public static void edit(KubernetesClient client, String name, Consumer<SamTrainingJob> change) {
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptionsMatching(
                        e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .until(
                        () -> {
                            client.resources(SamTrainingJob.class)
                                    .inNamespace(NAMESPACE)
                                    .withName(name)
                                    .edit(
                                            j -> {
                                                change.accept(j);
                                                return j;
                                            });
                            return true;
                        });
    }

    /** A SAMPa job on a tiny synthetic task; {@code overrides} as {@code --set} would take them. */
    public static SamTrainingJob sampa(String name, String... overrides) {
        return job(name, "SAMPa", overrides);
    }

    public static SamTrainingJob sam(String name, String... overrides) {
        return job(name, "SAM", overrides);
    }

    public static SamTrainingJob job(String name, String method, String... overrides) {
        String yaml =
                """
                apiVersion: sharpness.dev/v1alpha1
                kind: SamTrainingJob
                metadata: {name: %s}
                spec:
                  model: {architecture: mlp}
                  dataset:
                    format: synthetic
                    synthetic: {trainSamples: 256, testSamples: 64, classes: 4, channels: 1, imageSize: 4}
                  optimizer: {method: %s}
                  training: {epochs: 2, batchSize: 32}
                """
                        .formatted(name, method);
        SamTrainingJob job = ManifestLoader.parse(yaml, "test job", List.of(overrides));
        job.getMetadata().setNamespace(NAMESPACE);
        job.getMetadata().setUid(UUID.nameUUIDFromBytes(name.getBytes()).toString());
        job.getMetadata().setGeneration(1L);
        return job;
    }
}
