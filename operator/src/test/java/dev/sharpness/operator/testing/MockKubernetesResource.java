package dev.sharpness.operator.testing;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * A Fabric8 mock API server in CRUD mode (plain HTTP, expectations first) for
 * {@code @QuarkusTest}s, with the committed CRD applied; the application's Kubernetes client is
 * pointed at it.
 */
public class MockKubernetesResource implements QuarkusTestResourceLifecycleManager {
    private KubernetesMockServer server;

    @Override
    public Map<String, String> start() {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server =
                new KubernetesMockServer(
                        new io.fabric8.mockwebserver.Context(),
                        new MockWebServer(),
                        expectations,
                        new KubernetesMixedDispatcher(expectations),
                        false);
        server.init();
        // Leader election first asks the API server what it may do with leases; the mock server
        // has no authorizer, so it answers as a cluster that grants the chart's lease Role.
        server.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(
                        201,
                        new SelfSubjectRulesReviewBuilder()
                                .withNewStatus()
                                .addNewResourceRule()
                                .withApiGroups("coordination.k8s.io")
                                .withResources("leases")
                                .withVerbs("get", "create", "update")
                                .endResourceRule()
                                .withIncomplete(false)
                                .endStatus()
                                .build())
                .always();
        try (KubernetesClient client = server.createClient()) {
            TestCrd.apply(client);
        }
        return Map.of(
                "quarkus.kubernetes-client.api-server-url",
                server.url("/"),
                "quarkus.kubernetes-client.trust-certs",
                "true",
                "quarkus.kubernetes-client.namespace",
                "sam-system");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.destroy();
        }
    }
}
