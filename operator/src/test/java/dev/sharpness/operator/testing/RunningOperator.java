package dev.sharpness.operator.testing;

import dev.sharpness.operator.config.OperatorSettings;
import dev.sharpness.operator.metrics.OperatorMetrics;
import dev.sharpness.operator.progress.ProgressPoller;
import dev.sharpness.operator.reconcile.SamTrainingJobReconciler;
import dev.sharpness.operator.testing.apiserver.StrictApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * The real reconciler in a real operator SDK runtime (informers, event handling, retries) against
 * the strict test API server, as the operator's ServiceAccount: what the Quarkus application runs,
 * minus Quarkus.
 */
public final class RunningOperator implements AutoCloseable {
    public static final Duration POLL = Duration.ofMillis(500);

    private final Operator operator;
    private final KubernetesClient client;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    public RunningOperator(StrictApiServer api, String namespace) {
        client = api.operatorClient();
        // The mock API server cannot do server-side apply: patch the plain way in tests only.
        operator =
                new Operator(
                        o ->
                                o.withKubernetesClient(client)
                                        .withCloseClientOnStop(false)
                                        .withUseSSAToPatchPrimaryResource(false)
                                        .withSSABasedCreateUpdateMatchForDependentResources(false));
        SamTrainingJobReconciler reconciler =
                new SamTrainingJobReconciler(
                        new OperatorSettings("trainer:test", POLL, "sam-system"),
                        new ProgressPoller(POLL, Clock.systemUTC()),
                        new OperatorMetrics(registry),
                        Clock.systemUTC());
        // The runtime configuration first, then the reconciler's own: as the Quarkus extension.
        operator.register(
                reconciler,
                c -> reconciler.updateConfigurationFrom(c.settingNamespaces(Set.of(namespace))));
        operator.start();
    }

    /** The operator SDK runtime, for tests that look into its caches. */
    public Operator operator() {
        return operator;
    }

    public SimpleMeterRegistry metrics() {
        return registry;
    }

    @Override
    public void close() {
        operator.stop();
        client.close();
    }
}
