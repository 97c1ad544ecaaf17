package dev.sharpness.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart in {@code sam-operator/} rendered by Helm (as {@code helm template}) under a set of
 * values, as a list of Kubernetes objects.
 */
final class RenderedChart {
    /** The chart, relative to this module (Surefire runs in the module's folder). */
    static final Path CHART = Path.of("sam-operator");

    static final String RELEASE = "sam-operator";
    static final String NAMESPACE = "sam-system";

    /** watchNamespaces: [team-a, team-b], as --set takes a list. */
    static final Map<String, Object> TWO_NAMESPACES =
            Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b");

    /** Helm's default (1.20) is older than the chart's kubeVersion allows. */
    static final String KUBE_VERSION = "1.30.0";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON =
            JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final List<JsonNode> objects;

    private RenderedChart(List<JsonNode> objects) {
        this.objects = objects;
    }

    /** Renders the chart with the default values plus {@code values} (as {@code --set}). */
    static RenderedChart render(Map<String, Object> values) {
        TemplateCommand template =
                new Helm(CHART)
                        .template()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE)
                        .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return parse(template.call());
    }

    static RenderedChart render() {
        return render(Map.of());
    }

    static RenderedChart parse(String manifests) {
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(manifests)) {
            // One YAML document per object; documents holding only a "# Source:" comment are empty.
            for (JsonNode document : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (document != null && document.isObject() && document.has("kind")) {
                    objects.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("helm rendered invalid YAML:\n" + manifests, e);
        }
        return new RenderedChart(objects);
    }

    List<JsonNode> all() {
        return objects;
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    /** The one object of this kind and name (in any namespace); fails when there is none. */
    JsonNode get(String kind, String name) {
        List<JsonNode> found =
                ofKind(kind).stream()
                        .filter(o -> name.equals(o.path("metadata").path("name").asText()))
                        .toList();
        assertThat(found).as("rendered %s %s", kind, name).hasSize(1);
        return found.get(0);
    }

    /** As {@link #get(String, String)}, read into a Fabric8 model class. */
    <T> T get(Class<T> type, String name) {
        return as(get(type.getSimpleName(), name), type);
    }

    static <T> T as(JsonNode object, Class<T> type) {
        return JSON.convertValue(object, type);
    }
}
