package dev.sharpness.operator.reconcile;

import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;

/**
 * When a job must be left alone quietly: it is being deleted, or its namespace is. Nothing the
 * operator could do for it would last, and every try would fail (a terminating namespace refuses
 * new objects with 403), so retrying and logging errors would only flood the log.
 */
final class LeaveAlone {
    /** The cause Kubernetes gives when it refuses to create an object in a dying namespace. */
    static final String NAMESPACE_TERMINATING = "NamespaceTerminating";

    private LeaveAlone() {}

    /** Why an API error means the job is going away, or empty when it is a real error. */
    static Optional<String> because(KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
            return Optional.of("it is gone");
        }
        if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN && namespaceTerminating(e)) {
            return Optional.of("its namespace is being deleted");
        }
        return Optional.empty();
    }

    private static boolean namespaceTerminating(KubernetesClientException e) {
        List<StatusCause> causes =
                e.getStatus() == null || e.getStatus().getDetails() == null
                        ? List.of()
                        : e.getStatus().getDetails().getCauses();
        return causes.stream().anyMatch(c -> NAMESPACE_TERMINATING.equals(c.getReason()))
                // Older servers say it in the message only.
                || String.valueOf(e.getMessage()).contains("because it is being terminated");
    }
}
