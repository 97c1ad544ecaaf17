package dev.sharpness.operator.status;

import dev.sharpness.api.v1alpha1.Constants;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Sets conditions on a status the way Kubernetes expects: one per type, and {@code
 * lastTransitionTime} moves only when the condition's status changes.
 */
public final class Conditions {
    private Conditions() {}

    public static void set(
            List<Condition> conditions,
            String type,
            boolean status,
            String reason,
            String message,
            Long generation,
            Instant now) {
        String value = status ? "True" : "False";
        Optional<Condition> existing = find(conditions, type);
        String transition =
                existing.filter(c -> value.equals(c.getStatus()))
                        .map(Condition::getLastTransitionTime)
                        .orElse(Times.format(now));
        Condition condition =
                new ConditionBuilder()
                        .withType(type)
                        .withStatus(value)
                        .withReason(reason)
                        .withMessage(message == null ? "" : message)
                        .withObservedGeneration(generation)
                        .withLastTransitionTime(transition)
                        .build();
        conditions.removeIf(c -> type.equals(c.getType()));
        conditions.add(condition);
        conditions.sort(java.util.Comparator.comparingInt(c -> ORDER.indexOf(c.getType())));
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    private static final List<String> ORDER =
            List.of(
                    Constants.CONDITION_SUSPENDED,
                    Constants.CONDITION_PODS_READY,
                    Constants.CONDITION_RESTARTING,
                    Constants.CONDITION_STALLED,
                    Constants.CONDITION_COMPLETE,
                    Constants.CONDITION_FAILED);
}
