package dev.sharpness.operator.reconcile;

import static dev.sharpness.api.v1alpha1.Constants.CONDITION_COMPLETE;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_FAILED;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_PODS_READY;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_RESTARTING;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_STALLED;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_SUSPENDED;
import static dev.sharpness.operator.reconcile.ConditionTable.Rule.CLEAR;
import static dev.sharpness.operator.reconcile.ConditionTable.Rule.FALSE;
import static dev.sharpness.operator.reconcile.ConditionTable.Rule.HEADLINE_FALSE;
import static dev.sharpness.operator.reconcile.ConditionTable.Rule.HEADLINE_TRUE;
import static dev.sharpness.operator.reconcile.ConditionTable.Rule.KEEP;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.operator.status.Conditions;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The job's conditions as a function of its {@link Verdict}, by one table: each phase says, for
 * every condition type, what it becomes. No branch of {@link Lifecycle} sets a condition itself, so
 * none can forget one (a Restarting left True on a failure).
 */
final class ConditionTable {
    /** What a phase does to one condition. */
    enum Rule {
        /** True, with the verdict's reason and message. */
        HEADLINE_TRUE,
        /** False, with the verdict's reason and message. */
        HEADLINE_FALSE,
        /** False, with the verdict's reason and detail. */
        FALSE,
        /** False if it is True (with the condition's own words for that); else left as it is. */
        CLEAR,
        /** Left as it is. */
        KEEP
    }

    /** Condition types in the order of the table's columns. */
    static final List<String> TYPES =
            List.of(
                    CONDITION_SUSPENDED,
                    CONDITION_PODS_READY,
                    CONDITION_RESTARTING,
                    CONDITION_STALLED,
                    CONDITION_COMPLETE,
                    CONDITION_FAILED);

    private static final Map<Phase, List<Rule>> TABLE = new EnumMap<>(Phase.class);

    static {
        // Suspended, PodsReady, Restarting, Stalled, Complete, Failed. A restart's new attempt
        // keeps Restarting until it runs; Stalled stays as the last running attempt left it until
        // one runs again (a verdict caused by a stall sets it True, whatever the phase).
        TABLE.put(Phase.PENDING, List.of(CLEAR, HEADLINE_FALSE, CLEAR, KEEP, CLEAR, CLEAR));
        TABLE.put(Phase.STARTING, List.of(CLEAR, HEADLINE_FALSE, KEEP, KEEP, CLEAR, CLEAR));
        TABLE.put(Phase.RUNNING, List.of(CLEAR, HEADLINE_TRUE, CLEAR, CLEAR, CLEAR, CLEAR));
        TABLE.put(Phase.RESTARTING, List.of(CLEAR, FALSE, HEADLINE_TRUE, KEEP, CLEAR, CLEAR));
        TABLE.put(Phase.SUSPENDED, List.of(HEADLINE_TRUE, FALSE, CLEAR, KEEP, CLEAR, CLEAR));
        TABLE.put(Phase.SUCCEEDED, List.of(CLEAR, FALSE, CLEAR, KEEP, HEADLINE_TRUE, CLEAR));
        TABLE.put(Phase.FAILED, List.of(CLEAR, FALSE, CLEAR, KEEP, CLEAR, HEADLINE_TRUE));
    }

    private ConditionTable() {}

    /** The rule of {@code phase} for condition {@code type}. */
    static Rule rule(Phase phase, String type) {
        return TABLE.get(phase).get(TYPES.indexOf(type));
    }

    /** Sets the status's conditions as the verdict's phase says. */
    static void apply(SamTrainingJobStatus status, Verdict verdict, Long generation, Instant now) {
        for (String type : TYPES) {
            Rule rule = rule(verdict.phase(), type);
            if (CONDITION_STALLED.equals(type) && verdict.stall() != null) {
                set(
                        status,
                        type,
                        true,
                        Constants.REASON_PROGRESS_DEADLINE_EXCEEDED,
                        verdict.stall(),
                        generation,
                        now);
                continue;
            }
            switch (rule) {
                case HEADLINE_TRUE, HEADLINE_FALSE ->
                        set(
                                status,
                                type,
                                rule == HEADLINE_TRUE,
                                verdict.reason(),
                                verdict.message(),
                                generation,
                                now);
                case FALSE ->
                        set(
                                status,
                                type,
                                false,
                                verdict.reason(),
                                verdict.detail(),
                                generation,
                                now);
                case CLEAR -> {
                    if (Conditions.isTrue(status.getConditions(), type)) {
                        clear(status, type, verdict, generation, now);
                    }
                }
                case KEEP -> {}
            }
        }
    }

    /** A condition turning False on its own: Suspended and Stalled have words for that. */
    private static void clear(
            SamTrainingJobStatus status,
            String type,
            Verdict verdict,
            Long generation,
            Instant now) {
        switch (type) {
            case CONDITION_SUSPENDED ->
                    set(
                            status,
                            type,
                            false,
                            Constants.REASON_RESUMED,
                            "spec.suspend is false",
                            generation,
                            now);
            case CONDITION_STALLED ->
                    set(
                            status,
                            type,
                            false,
                            Constants.REASON_PROGRESSING,
                            "training steps are advancing",
                            generation,
                            now);
            default ->
                    set(status, type, false, verdict.reason(), verdict.detail(), generation, now);
        }
    }

    private static void set(
            SamTrainingJobStatus status,
            String type,
            boolean value,
            String reason,
            String message,
            Long generation,
            Instant now) {
        Conditions.set(status.getConditions(), type, value, reason, message, generation, now);
    }
}
