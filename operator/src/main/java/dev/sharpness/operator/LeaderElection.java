package dev.sharpness.operator;

import dev.sharpness.operator.config.OperatorConfig;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;

/**
 * Leader election on a Lease in the operator's namespace: with several replicas, one reconciles and
 * the others wait to take over.
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
    public LeaderElection(OperatorConfig config) {
        super(
                "sam-operator-leader",
                config.namespace(),
                LEASE_DURATION_DEFAULT_VALUE,
                RENEW_DEADLINE_DEFAULT_VALUE,
                RETRY_PERIOD_DEFAULT_VALUE,
                null,
                null,
                config.exitOnLostLeadership());
    }
}
