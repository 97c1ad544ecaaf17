package dev.sharpness.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The chart passes {@code helm lint --strict} and renders the objects it promises. */
class ChartLintTest {
    @Test
    void lintsCleanInStrictMode() {
        LintResult result = new Helm(RenderedChart.CHART).lint().strict().call();

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
    }

    @Test
    void rendersTheOperatorItsAccountRbacAndMetricsService() {
        RenderedChart chart = RenderedChart.render();

        assertThat(kindsAndNames(chart.all()))
                .containsExactlyInAnyOrder(
                        "ServiceAccount/sam-operator",
                        "Deployment/sam-operator",
                        "Service/sam-operator-metrics",
                        "ClusterRole/sam-operator",
                        "ClusterRoleBinding/sam-operator",
                        "Role/sam-operator-leader-election",
                        "RoleBinding/sam-operator-leader-election",
                        "ClusterRole/sam-operator-samtrainingjobs-edit",
                        "ClusterRole/sam-operator-samtrainingjobs-view");
    }

    @Test
    void everyObjectCarriesTheReleaseLabelsAndNamespacedOnesTheirNamespace() {
        Set<String> clusterScoped = Set.of("ClusterRole", "ClusterRoleBinding");
        for (Map<String, Object> values :
                List.of(
                        Map.<String, Object>of(),
                        withServiceMonitor(RenderedChart.TWO_NAMESPACES))) {
            for (JsonNode object : RenderedChart.render(values).all()) {
                JsonNode metadata = object.path("metadata");
                String what = object.path("kind").asText() + "/" + metadata.path("name").asText();
                assertThat(metadata.at("/labels/app.kubernetes.io~1instance").asText())
                        .as("instance label of %s", what)
                        .isEqualTo(RenderedChart.RELEASE);
                assertThat(metadata.at("/labels/app.kubernetes.io~1name").asText())
                        .as("name label of %s", what)
                        .isEqualTo("sam-operator");
                assertThat(metadata.has("namespace"))
                        .as("namespace of %s", what)
                        .isEqualTo(!clusterScoped.contains(object.path("kind").asText()));
            }
        }
    }

    @Test
    void fullnameOverrideRenamesEveryObject() {
        RenderedChart chart = RenderedChart.render(Map.of("fullnameOverride", "sam"));

        assertThat(kindsAndNames(chart.all()))
                .allSatisfy(
                        name -> assertThat(name).contains("/sam").doesNotContain("sam-operator"));
    }

    private static Map<String, Object> withServiceMonitor(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(values);
        all.put("metrics.serviceMonitor.enabled", true);
        return all;
    }

    private static Set<String> kindsAndNames(List<JsonNode> objects) {
        Set<String> names = new TreeSet<>();
        for (JsonNode object : objects) {
            names.add(object.path("kind").asText() + "/" + object.at("/metadata/name").asText());
        }
        return names;
    }
}
