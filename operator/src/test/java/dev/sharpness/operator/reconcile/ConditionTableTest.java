package dev.sharpness.operator.reconcile;

import static dev.sharpness.api.v1alpha1.Constants.CONDITION_COMPLETE;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_FAILED;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_PODS_READY;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_RESTARTING;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_STALLED;
import static dev.sharpness.api.v1alpha1.Constants.CONDITION_SUSPENDED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every (phase, reason) the lifecycle can decide, from every starting set of conditions, gives a
 * consistent set: a condition is True only in the phases it describes, whatever came before.
 */
class ConditionTableTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Long GENERATION = 4L;

    /** The one condition each phase is about, and whether it is True there. */
    private static final Map<Phase, String> HEADLINE =
            Map.of(
                    Phase.PENDING, CONDITION_PODS_READY,
                    Phase.STARTING, CONDITION_PODS_READY,
                    Phase.RUNNING, CONDITION_PODS_READY,
                    Phase.RESTARTING, CONDITION_RESTARTING,
                    Phase.SUSPENDED, CONDITION_SUSPENDED,
                    Phase.SUCCEEDED, CONDITION_COMPLETE,
                    Phase.FAILED, CONDITION_FAILED);

    @Test
    void everyPhaseAndReasonGivesAConsistentSetOfConditionsFromAnyStart() {
        SoftAssertions softly = new SoftAssertions();
        int cases = 0;
        for (Phase phase : Phase.values()) {
            for (String reason : reasons()) {
                for (String stall : Arrays.asList(null, "no training step for 60 s")) {
                    for (Optional<Boolean> before : starts()) {
                        SamTrainingJobStatus status = statusWith(before);
                        Verdict verdict =
                                new Verdict(phase, reason, "the message", "the detail", stall);
                        ConditionTable.apply(status, verdict, GENERATION, T0.plusSeconds(60));
                        check(softly, status, verdict, before);
                        cases++;
                    }
                }
            }
        }
        softly.assertAll();
        assertThat(cases).isEqualTo(Phase.values().length * reasons().size() * 2 * 3);
    }

    private static void check(
            SoftAssertions softly,
            SamTrainingJobStatus status,
            Verdict verdict,
            Optional<Boolean> before) {
        Phase phase = verdict.phase();
        String what =
                phase + "/" + verdict.reason() + " stall=" + verdict.stall() + " from " + before;
        List<Condition> conditions = status.getConditions();
        softly.assertThat(isTrue(conditions, CONDITION_SUSPENDED))
                .as("Suspended, " + what)
                .isEqualTo(phase == Phase.SUSPENDED);
        softly.assertThat(isTrue(conditions, CONDITION_PODS_READY))
                .as("PodsReady, " + what)
                .isEqualTo(phase == Phase.RUNNING);
        softly.assertThat(isTrue(conditions, CONDITION_COMPLETE))
                .as("Complete, " + what)
                .isEqualTo(phase == Phase.SUCCEEDED);
        softly.assertThat(isTrue(conditions, CONDITION_FAILED))
                .as("Failed, " + what)
                .isEqualTo(phase == Phase.FAILED);
        if (isTrue(conditions, CONDITION_RESTARTING)) {
            // A restart's next attempt is still restarting until it runs.
            softly.assertThat(phase)
                    .as("Restarting True, " + what)
                    .isIn(Phase.RESTARTING, Phase.STARTING);
        }
        softly.assertThat(isTrue(conditions, CONDITION_RESTARTING) || phase != Phase.RESTARTING)
                .as("Restarting in the phase Restarting, " + what)
                .isTrue();
        boolean stalled = isTrue(conditions, CONDITION_STALLED);
        if (verdict.stall() != null) {
            softly.assertThat(stalled).as("Stalled after a stall, " + what).isTrue();
        } else if (phase == Phase.RUNNING) {
            softly.assertThat(stalled).as("Stalled while running, " + what).isFalse();
        }
        Condition headline = Conditions.find(conditions, HEADLINE.get(phase)).orElseThrow();
        softly.assertThat(headline.getReason())
                .as("headline reason, " + what)
                .isEqualTo(verdict.reason());
        softly.assertThat(headline.getMessage())
                .as("headline message, " + what)
                .isEqualTo("the message");
        for (Condition condition : conditions) {
            softly.assertThat(condition.getReason())
                    .as(condition.getType() + " reason, " + what)
                    .isNotBlank();
        }
    }

    @Test
    void applyingTheSameVerdictAgainChangesNothing() {
        SamTrainingJobStatus status = statusWith(Optional.of(true));
        Verdict failed =
                new Verdict(
                        Phase.FAILED,
                        Constants.REASON_DIVERGED,
                        "rank 1 diverged",
                        "the job failed",
                        null);
        ConditionTable.apply(status, failed, GENERATION, T0.plusSeconds(60));
        String first = Serialization.asJson(status);

        ConditionTable.apply(status, failed, GENERATION, T0.plusSeconds(120));

        assertThat(Serialization.asJson(status)).isEqualTo(first);
    }

    @Test
    void aFailureWhileRestartingTurnsRestartingFalseWithTheFailuresReason() {
        SamTrainingJobStatus status = new SamTrainingJobStatus();
        ConditionTable.apply(
                status,
                new Verdict(
                        Phase.RESTARTING,
                        Constants.REASON_PEER_LOST,
                        "rank 0 lost rank 1",
                        "restarting from step 0: no checkpoint volume",
                        null),
                GENERATION,
                T0);

        ConditionTable.apply(
                status,
                new Verdict(
                        Phase.FAILED,
                        Constants.REASON_DEADLINE_EXCEEDED,
                        "too long",
                        "the job failed",
                        null),
                GENERATION,
                T0.plusSeconds(30));

        Condition restarting =
                Conditions.find(status.getConditions(), CONDITION_RESTARTING).orElseThrow();
        assertThat(restarting.getStatus()).isEqualTo("False");
        assertThat(restarting.getReason()).isEqualTo(Constants.REASON_DEADLINE_EXCEEDED);
        assertThat(restarting.getMessage()).isEqualTo("the job failed");
        assertThat(restarting.getLastTransitionTime()).isEqualTo("2026-11-23T10:00:30Z");
    }

    @Test
    void everyPhaseHasARuleForEveryCondition() {
        for (Phase phase : Phase.values()) {
            for (String type : ConditionTable.TYPES) {
                assertThat(ConditionTable.rule(phase, type)).as(phase + "/" + type).isNotNull();
            }
        }
        assertThat(Set.copyOf(ConditionTable.TYPES))
                .containsExactlyInAnyOrder(
                        CONDITION_SUSPENDED,
                        CONDITION_PODS_READY,
                        CONDITION_RESTARTING,
                        CONDITION_STALLED,
                        CONDITION_COMPLETE,
                        CONDITION_FAILED);
    }

    /** Every condition reason in {@link Constants}. */
    private static List<String> reasons() {
        List<String> reasons = new ArrayList<>();
        for (Field field : Constants.class.getFields()) {
            if (field.getName().startsWith("REASON_") && Modifier.isStatic(field.getModifiers())) {
                try {
                    reasons.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return reasons;
    }

    /** No conditions yet, all six False, all six True. */
    private static List<Optional<Boolean>> starts() {
        return List.of(Optional.empty(), Optional.of(false), Optional.of(true));
    }

    private static SamTrainingJobStatus statusWith(Optional<Boolean> value) {
        SamTrainingJobStatus status = new SamTrainingJobStatus();
        value.ifPresent(
                v ->
                        ConditionTable.TYPES.forEach(
                                type ->
                                        Conditions.set(
                                                status.getConditions(),
                                                type,
                                                v,
                                                "Before",
                                                "before",
                                                GENERATION - 1,
                                                T0)));
        return status;
    }

    private static boolean isTrue(List<Condition> conditions, String type) {
        return Conditions.isTrue(conditions, type);
    }
}
