package dev.sharpness.charts;

import static dev.sharpness.charts.RenderedChart.NAMESPACE;
import static dev.sharpness.charts.RenderedChart.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metrics Service in front of /q/metrics, and the optional ServiceMonitor. */
class MetricsTest {
    private static final String METRICS = RELEASE + "-metrics";

    @Test
    void metricsServiceSelectsTheOperatorAndNoServiceMonitorByDefault() {
        RenderedChart chart = RenderedChart.render();

        Service service = chart.get(Service.class, METRICS);
        Deployment deployment = chart.get(Deployment.class, RELEASE);
        assertThat(service.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getName()).isEqualTo("http-metrics");
                            assertThat(p.getPort()).isEqualTo(8080);
                            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
                        });
        assertThat(chart.ofKind("ServiceMonitor")).isEmpty();
    }

    @Test
    void serviceMonitorScrapesTheMetricsServiceWhenEnabled() {
        RenderedChart chart =
                RenderedChart.render(
                        Map.of(
                                "metrics.serviceMonitor.enabled",
                                true,
                                "metrics.serviceMonitor.labels.release",
                                "prometheus"));

        JsonNode monitor = chart.get("ServiceMonitor", RELEASE);
        assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        Service service = chart.get(Service.class, METRICS);
        JsonNode selector = monitor.at("/spec/selector/matchLabels");
        selector.fields()
                .forEachRemaining(
                        label ->
                                assertThat(service.getMetadata().getLabels())
                                        .containsEntry(label.getKey(), label.getValue().asText()));
        assertThat(monitor.at("/spec/namespaceSelector/matchNames/0").asText())
                .isEqualTo(NAMESPACE);
        JsonNode endpoint = monitor.at("/spec/endpoints/0");
        assertThat(endpoint.path("port").asText()).isEqualTo("http-metrics");
        assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
        assertThat(endpoint.path("interval").asText()).isEqualTo("30s");
    }

    @Test
    void metricsServiceCanBeTurnedOffButNotUnderAServiceMonitor() {
        RenderedChart chart = RenderedChart.render(Map.of("metrics.service.enabled", false));
        assertThat(chart.ofKind("Service")).isEmpty();

        assertThatThrownBy(
                        () ->
                                RenderedChart.render(
                                        Map.of(
                                                "metrics.service.enabled", false,
                                                "metrics.serviceMonitor.enabled", true)))
                .hasMessageContaining(
                        "metrics.serviceMonitor.enabled needs metrics.service.enabled");
    }
}
