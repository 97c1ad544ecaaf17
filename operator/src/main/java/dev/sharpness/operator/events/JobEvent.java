package dev.sharpness.operator.events;

/**
 * A Kubernetes event to record on a job: a transition of its lifecycle.
 *
 * @param warning Warning rather than Normal
 * @param reason CamelCase, as condition reasons
 */
public record JobEvent(boolean warning, String reason, String message) {}
