package dev.sharpness.api.manifest;

import static org.assertj.core.api.Assertions.fail;

import dev.sharpness.api.v1alpha1.SamTrainingJob;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** Manifests the tests share, and a way to see what a manifest gets rejected for. */
final class TestManifests {
    /** model, dataset and optimizer.method only: everything else takes its default. */
    static final String MINIMAL =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: demo}
            spec:
              model: {architecture: resnet20}
              dataset: {format: cifar10, path: /data/cifar10}
              optimizer: {method: SAM}
            """;

    private TestManifests() {}

    static Path resource(String name) {
        try {
            return Path.of(TestManifests.class.getResource("/manifest/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static SamTrainingJob parse(String yaml, String... overrides) {
        return ManifestLoader.parse(yaml, "job.yaml", List.of(overrides));
    }

    /** The exception a manifest is rejected with; fails the test if it loads. */
    static ManifestException rejection(String yaml, String... overrides) {
        try {
            SamTrainingJob job = parse(yaml, overrides);
            return fail(
                    "expected the manifest to be rejected, it loaded as:%n%s",
                    ManifestLoader.toYaml(job));
        } catch (ManifestException e) {
            return e;
        }
    }
}
