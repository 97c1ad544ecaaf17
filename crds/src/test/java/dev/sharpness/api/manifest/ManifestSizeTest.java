package dev.sharpness.api.manifest;

import static dev.sharpness.api.manifest.TestManifests.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest is at most 1 MiB, what a ConfigMap holds: parsing a long line takes time that grows
 * with the square of its length (8 MB took 14 s), so larger ones are refused before parsing.
 */
class ManifestSizeTest {
    @TempDir Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aManifestOverOneMebibyteIsRefusedBeforeParsing() throws IOException {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, withLongLine(2 * ManifestLoader.MAX_BYTES), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ManifestLoader.load(file, List.of()))
                .isInstanceOf(ManifestException.class)
                .hasMessage(
                        file
                                + ": the manifest is "
                                + Files.size(file)
                                + " bytes, larger than the limit of 1048576 bytes (1 MiB, what a"
                                + " ConfigMap holds)");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void textOverTheLimitIsRefusedToo() {
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        withLongLine(ManifestLoader.MAX_BYTES + 1),
                                        "job.yaml",
                                        List.of()))
                .isInstanceOf(ManifestException.class)
                .hasMessage(
                        "job.yaml: the manifest is larger than the limit of 1048576 bytes (1 MiB,"
                                + " what a ConfigMap holds)");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aManifestAtTheLimitWithOneLongLineLoadsInSeconds() throws IOException {
        Path file = dir.resolve("job.yaml");
        String yaml = withLongLine(ManifestLoader.MAX_BYTES);
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        assertThat(Files.size(file)).isEqualTo(ManifestLoader.MAX_BYTES);

        assertThat(ManifestLoader.load(file, List.of()).getMetadata().getAnnotations().get("note"))
                .hasSizeGreaterThan(ManifestLoader.MAX_BYTES - 1000);
    }

    /** The minimal manifest with one annotation on one line, {@code size} bytes in all. */
    private static String withLongLine(int size) {
        String template =
                MINIMAL.replace(
                        "metadata: {name: demo}",
                        "metadata: {name: demo, annotations: {note: \"%s\"}}");
        int filler = size - (template.length() - 2);
        return template.formatted("x".repeat(filler));
    }
}
