package dev.sharpness.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything an installation configures about the operator, in one place ({@code sam.operator.*},
 * or {@code SAM_OPERATOR_*} in the environment).
 */
@ConfigMapping(prefix = "sam.operator")
public interface OperatorConfig {
    /** Namespaces to watch; absent means all (application.properties hands it to the SDK). */
    Optional<List<String>> watchNamespaces();

    /** Trainer image for jobs that do not name one. */
    @WithDefault("ghcr.io/sharpness-dev/sam-trainer:0.1.0")
    String defaultTrainerImage();

    /** How often rank 0 is asked for progress while a job runs. */
    @WithDefault("15s")
    Duration progressPollInterval();

    /** Jobs reconciled at the same time (application.properties hands it to the SDK). */
    @WithDefault("10")
    int reconcileConcurrency();

    /** The operator's own namespace: its lease, and the source the NetworkPolicy admits. */
    @WithDefault("sam-system")
    String namespace();

    /**
     * Exit the process (code 1) when leadership is lost while it runs, so the pod restarts as a
     * follower with clean caches. Stopping the application never exits from here: it releases the
     * Lease instead. Tests turn it off.
     */
    @WithDefault("true")
    boolean exitOnLostLeadership();
}
