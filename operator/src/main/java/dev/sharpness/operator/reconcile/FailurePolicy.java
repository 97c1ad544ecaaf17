package dev.sharpness.operator.reconcile;

import dev.sharpness.api.v1alpha1.BackoffSpec;
import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.FailurePolicySpec;
import dev.sharpness.api.v1alpha1.FailureRule;
import dev.sharpness.api.v1alpha1.FailureRule.Action;
import dev.sharpness.api.worker.ExitCode;
import dev.sharpness.operator.pods.ObservedWorker;
import java.time.Duration;
import java.util.List;

/**
 * Decides what a worker failure does to the job: the job's rules first, then the built-in ones (an
 * exit code no retry cures, {@link ExitCode#neverRetried()}: fail; a DisruptionTarget condition:
 * restart without counting; anything else: restart), and how long to wait before the next attempt.
 */
final class FailurePolicy {
    static final List<FailureRule> BUILT_IN =
            List.of(
                    new FailureRule(Action.FAIL, ExitCode.neverRetried(), null),
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

    /** A reason for the condition and lastFailure, from the worker's exit code. */
    static String reason(ObservedWorker failed) {
        if (failed.disrupted()) {
            return Constants.REASON_PREEMPTED;
        }
        return failed.exit()
                .map(ExitCode::reason)
                .filter(reason -> reason != null)
                .orElse(Constants.REASON_WORKER_FAILED);
    }

    /** initialSeconds, doubled with every restart, capped at maxSeconds. */
    static Duration backoff(BackoffSpec backoff, int restarts) {
        long seconds = backoff.getInitialSeconds();
        for (int i = 1; i < restarts && seconds < backoff.getMaxSeconds(); i++) {
            seconds *= 2;
        }
        return Duration.ofSeconds(Math.min(seconds, backoff.getMaxSeconds()));
    }
}
