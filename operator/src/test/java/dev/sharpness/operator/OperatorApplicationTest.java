package dev.sharpness.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.operator.cache.PrunedItemStore;
import dev.sharpness.operator.reconcile.SamTrainingJobReconciler;
import dev.sharpness.operator.testing.LogCapture;
import dev.sharpness.operator.testing.MockKubernetesResource;
import dev.sharpness.operator.testing.TestJobs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Quarkus application as it ships: configuration, the controller's registration, leader
 * election, health and metrics endpoints, against a mock API server.
 */
@QuarkusTest
@QuarkusTestResource(MockKubernetesResource.class)
class OperatorApplicationTest {
    /** The test's own client: a cluster admin (the application's authenticates as itself). */
    private final KubernetesClient client = MockKubernetesResource.server().admin();

    @Inject Operator operator;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void theApplicationReconcilesJobsWithItsConfiguredDefaults() {
        SamTrainingJob job = TestJobs.sampa("wired");
        job.getMetadata().setUid(null);
        job.getMetadata().setGeneration(null);
        LogCapture log = LogCapture.warningsAndErrors();
        client.resource(job).create();

        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> {
                            SamTrainingJob current =
                                    client.resources(SamTrainingJob.class)
                                            .inNamespace(TestJobs.NAMESPACE)
                                            .withName("wired")
                                            .get();
                            return current.getStatus() != null
                                    && current.getStatus().getPhase() == Phase.STARTING;
                        });
        // The status is written first, the pods right after it.
        await().atMost(Duration.ofSeconds(10)).until(() -> pods("wired").size() == 2);
        List<Pod> pods = pods("wired");
        assertThat(pods).hasSize(2);
        // sam.operator.default-trainer-image, set for the test profile in application.properties.
        assertThat(pods.get(0).getSpec().getContainers().get(0).getImage())
                .isEqualTo("sam-trainer:test-default");
        // The pods' events reached the operator: no handler failed on the way (the SDK's event
        // metrics once threw in the pod informer's handler under the Prometheus registry).
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        log.close();
        assertThat(log.lines()).isEmpty();
    }

    @Test
    void theExtensionPrunesTheJobCacheOfTheWatchedNamespaces() {
        // The test profile watches all namespaces: one informer, so one pruning store.
        assertThat(
                        operator.getRegisteredController(SamTrainingJobReconciler.NAME)
                                .orElseThrow()
                                .getConfiguration()
                                .getInformerConfig()
                                .getItemStore())
                .isInstanceOf(PrunedItemStore.class);
    }

    @Test
    void leaderElectionTakesALeaseInTheOperatorsNamespaceAndKeepsRenewingIt() {
        await().atMost(Duration.ofSeconds(30)).until(() -> lease() != null);
        String firstRenewal = lease().getSpec().getRenewTime().toString();

        // Fabric8 renews the lease every retry period (2 s); a refused renewal loses leadership.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !lease().getSpec().getRenewTime().toString().equals(firstRenewal));
        assertThat(lease().getSpec().getHolderIdentity()).isNotBlank();
    }

    /**
     * Every request the application made in these tests is one the chart's RBAC grants when it
     * watches all namespaces (the ClusterRole variant); a request a real API server would refuse
     * fails here naming the missing rule, as does an object it would refuse as invalid.
     */
    @AfterAll
    static void everyRequestWasOneTheChartGrants() {
        MockKubernetesResource.server().assertConforms();
    }

    private Lease lease() {
        return client.leases().inNamespace("sam-system").withName("sam-operator-leader").get();
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> get(http, "/q/health/ready").statusCode() == 200);
        assertThat(get(http, "/q/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get(http, "/q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("sam_operator_jobs{")
                .contains("sam_operator_reconcile");
    }

    private List<Pod> pods(String job) {
        return client.pods()
                .inNamespace(TestJobs.NAMESPACE)
                .withLabel("sharpness.dev/job", job)
                .list()
                .getItems();
    }

    private HttpResponse<String> get(HttpClient http, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
