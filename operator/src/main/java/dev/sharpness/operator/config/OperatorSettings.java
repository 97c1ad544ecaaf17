package dev.sharpness.operator.config;

import java.time.Duration;

/**
 * The settings the reconciler's pure parts need, as a plain value (tests build one directly).
 *
 * @param defaultTrainerImage trainer image for jobs that do not name one
 * @param progressPollInterval how often rank 0 is asked for progress
 * @param operatorNamespace where the operator runs; its pods may reach the exchange port
 */
public record OperatorSettings(
        String defaultTrainerImage, Duration progressPollInterval, String operatorNamespace) {

    public static OperatorSettings from(OperatorConfig config) {
        return new OperatorSettings(
                config.defaultTrainerImage(), config.progressPollInterval(), config.namespace());
    }
}
