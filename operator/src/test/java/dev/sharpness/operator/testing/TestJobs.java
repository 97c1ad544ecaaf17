package dev.sharpness.operator.testing;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import java.util.List;
import java.util.UUID;

/** Jobs for tests, parsed from YAML as a user would write them. */
public final class TestJobs {
    public static final String NAMESPACE = "team-a";

    private TestJobs() {}

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
