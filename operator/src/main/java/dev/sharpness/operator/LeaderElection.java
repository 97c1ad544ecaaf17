package dev.sharpness.operator;

import dev.sharpness.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.util.UUID;

/**
 * Leader election on a Lease in the operator's namespace: with several replicas, one reconciles and
 * the others wait to take over. What happens when this instance stops leading is {@link
 * StopLeading}'s decision.
 *
 * <p>The operator SDK's own exit when leading stops ({@code exitOnStopLeading}) stays off: its
 * {@code System.exit(1)} never returned. When the application stops, the SDK stops leading from
 * inside the JVM's shutdown, where {@code System.exit} waits forever for that same shutdown; when
 * leadership is lost, it exits while holding the leader elector's lock, which the shutdown it
 * starts then waits for. And the SDK does not have Fabric8 release the Lease when it stops, so a
 * standby waited out the whole lease.
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
    static final String LEASE_NAME = "sam-operator-leader";

    private final StopLeading stopLeading;

    @Inject
    public LeaderElection(OperatorConfig config, KubernetesClient client) {
        this(config, client, identity());
    }

    private LeaderElection(OperatorConfig config, KubernetesClient client, String identity) {
        this(
                config,
                identity,
                new StopLeading(
                        new LeaseRelease(client, config.namespace(), LEASE_NAME, identity)::release,
                        config.exitOnLostLeadership(),
                        Quarkus::asyncExit));
    }

    private LeaderElection(OperatorConfig config, String identity, StopLeading stopLeading) {
        super(
                LEASE_NAME,
                config.namespace(),
                LEASE_DURATION_DEFAULT_VALUE,
                RENEW_DEADLINE_DEFAULT_VALUE,
                RETRY_PERIOD_DEFAULT_VALUE,
                identity,
                new LeaderCallbacks(() -> {}, stopLeading, leader -> {}),
                false);
        this.stopLeading = stopLeading;
    }

    /**
     * The application stops: from now on the operator SDK stops leading because of it. Ahead of the
     * operator SDK's own shutdown observer (default priority), which stops leading.
     */
    void applicationStopping(
            @Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stopLeading.applicationStopping();
    }

    /** The pod's name, as the operator SDK would choose it; a random name outside a pod. */
    private static String identity() {
        String hostname = System.getenv("HOSTNAME");
        return hostname == null || hostname.isBlank() ? UUID.randomUUID().toString() : hostname;
    }
}
