package dev.sharpness.operator.testing;

import dev.sharpness.operator.testing.apiserver.ChartRbac;
import dev.sharpness.operator.testing.apiserver.StrictApiServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The strict test API server for {@code @QuarkusTest}s, with the committed CRD applied: the chart
 * installed to watch all namespaces (the application's default), so the application's requests are
 * authorized by the ClusterRole. The application's Kubernetes client authenticates as the
 * operator's ServiceAccount.
 */
public class MockKubernetesResource implements QuarkusTestResourceLifecycleManager {
    private static StrictApiServer server;

    /** The server of the running {@code @QuarkusTest}, for checks after the tests. */
    public static StrictApiServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        server = new StrictApiServer(ChartRbac.allNamespaces());
        TestCrd.apply(server.admin());
        return Map.of(
                "quarkus.kubernetes-client.api-server-url",
                server.url(),
                "quarkus.kubernetes-client.trust-certs",
                "true",
                "quarkus.kubernetes-client.namespace",
                "sam-system",
                "quarkus.kubernetes-client.token",
                StrictApiServer.OPERATOR_TOKEN);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
