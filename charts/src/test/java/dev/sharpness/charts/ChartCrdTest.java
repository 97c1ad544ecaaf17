package dev.sharpness.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The chart installs the same CRD as the one generated from the API types. */
class ChartCrdTest {
    static final Path CHART_CRD =
            RenderedChart.CHART.resolve("crds/samtrainingjobs.sharpness.dev-v1.yml");

    /** Committed by the crds module, relative to this module's folder. */
    static final Path GENERATED_CRD = Path.of("..", "crds", "samtrainingjobs.sharpness.dev-v1.yml");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void chartCrdEqualsTheGeneratedOne() throws IOException {
        assertThat(GENERATED_CRD).exists();

        assertThat(YAML.readTree(CHART_CRD.toFile()))
                .as(
                        "the chart's CRD differs from the generated one; from the repository root:"
                                + " cp %s charts/%s",
                        Path.of("..").relativize(GENERATED_CRD), CHART_CRD)
                .isEqualTo(YAML.readTree(GENERATED_CRD.toFile()));
    }

    @Test
    void chartCrdDefinesNamespacedSamTrainingJobsWithAStatusSubresource() throws IOException {
        JsonNode crd = YAML.readTree(CHART_CRD.toFile());

        assertThat(crd.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
        assertThat(crd.path("kind").asText()).isEqualTo("CustomResourceDefinition");
        assertThat(crd.at("/metadata/name").asText()).isEqualTo("samtrainingjobs.sharpness.dev");
        JsonNode spec = crd.path("spec");
        assertThat(spec.path("group").asText()).isEqualTo("sharpness.dev");
        assertThat(spec.path("scope").asText()).isEqualTo("Namespaced");
        assertThat(spec.at("/names/kind").asText()).isEqualTo("SamTrainingJob");
        assertThat(spec.at("/names/plural").asText()).isEqualTo("samtrainingjobs");
        assertThat(spec.at("/names/shortNames").toString()).contains("\"samjob\"");
        JsonNode version = spec.at("/versions/0");
        assertThat(version.path("name").asText()).isEqualTo("v1alpha1");
        assertThat(version.path("served").asBoolean()).isTrue();
        assertThat(version.path("storage").asBoolean()).isTrue();
        assertThat(version.at("/subresources/status").isObject()).isTrue();
    }
}
