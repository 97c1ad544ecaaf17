package dev.sharpness.operator.reconcile;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.FailurePolicySpec;
import dev.sharpness.api.v1alpha1.FailureRule;
import dev.sharpness.api.v1alpha1.FailureRule.Action;
import dev.sharpness.operator.pods.ObservedWorker;
import java.util.List;

/**
 * Decides what a worker failure does to the job: the job's rules first, then the built-in ones
 * (exit code 2 or 4: fail; a DisruptionTarget condition: restart without counting; anything else:
 * restart).
 */
final class FailurePolicy {
    static final List<FailureRule> BUILT_IN =
            List.of(
                    new FailureRule(Action.FAIL, List.of(2, 4), null),
                    new FailureRule(
                            Action.RESTART_IGNORING_LIMIT,
                            null,
                            List.of(ObservedWorker.DISRUPTION_TARGET)));

    /** The action and the condition reason that names the cause. */
    record Decision(Action action, String reason) {}

    private FailurePolicy() {}

    static Decision decide(FailurePolicySpec policy, ObservedWorker failed) {
        Action action = Action.RESTART;
        List<FailureRule> rules = policy.getRules() == null ? List.of() : policy.getRules();
        boolean matched = false;
        for (List<FailureRule> list : List.of(rules, BUILT_IN)) {
            for (FailureRule rule : list) {
                if (matches(rule, failed)) {
                    action = rule.getAction();
                    matched = true;
                    break;
                }
            }
            if (matched) {
                break;
            }
        }
        return new Decision(action, reason(failed));
    }

    private static boolean matches(FailureRule rule, ObservedWorker failed) {
        if (rule.getOnExitCodes() != null) {
            return failed.exitCode() != null && rule.getOnExitCodes().contains(failed.exitCode());
        }
        return rule.getOnPodConditions() != null
                && rule.getOnPodConditions().stream().anyMatch(failed.conditions()::contains);
    }

    /** A reason for the condition and lastFailure, from the exit code contract of DESIGN.md. */
    static String reason(ObservedWorker failed) {
        if (failed.disrupted()) {
            return Constants.REASON_PREEMPTED;
        }
        if (failed.exitCode() == null) {
            return Constants.REASON_WORKER_FAILED;
        }
        return switch (failed.exitCode()) {
            case 2 -> Constants.REASON_INVALID_SPEC;
            case 3 -> Constants.REASON_PEER_LOST;
            case 4 -> Constants.REASON_DIVERGED;
            case 5 -> Constants.REASON_REPLICA_MISMATCH;
            default -> Constants.REASON_WORKER_FAILED;
        };
    }
}
