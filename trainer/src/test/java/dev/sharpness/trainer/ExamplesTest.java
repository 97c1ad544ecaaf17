package dev.sharpness.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every manifest under examples/ loads and validates as it is: users apply them unchanged. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void everyExampleManifestIsValid() throws IOException {
        List<Path> manifests;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            manifests = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(manifests)
                .extracting(p -> p.getFileName().toString())
                .contains("quickstart.yaml", "fashion-mnist-sgd.yaml", "fashion-mnist-sam.yaml");
        for (Path manifest : manifests) {
            SamTrainingJob job = ManifestLoader.load(manifest, List.of());
            assertThat(job.getMetadata().getName())
                    .as(manifest.toString())
                    .isEqualTo(manifest.getFileName().toString().replace(".yaml", ""));
        }
    }
}
