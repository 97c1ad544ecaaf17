package dev.sharpness.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.operator.pods.ObservedWorker;
import dev.sharpness.operator.pods.WorkerPods;
import dev.sharpness.operator.testing.PodStates;
import dev.sharpness.operator.testing.TestJobs;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The claims are looked up exactly when the lifecycle may start an attempt. */
class MissingClaimsTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void aNewJobLooksItsClaimsUp() {
        assertThat(MissingClaims.due(TestJobs.sampa("pair"), List.of(), T0)).isTrue();
    }

    @Test
    void aJobWithPodsOrSuspendedOrFinishedDoesNot() {
        SamTrainingJob job = TestJobs.sampa("pair");
        ObservedWorker rank0 =
                ObservedWorker.of(
                        PodStates.withStatus(
                                WorkerPods.desired(job, 0, "trainer:test").get(0),
                                PodStates.running("10.0.0.1")));
        assertThat(MissingClaims.due(job, List.of(rank0), T0)).isFalse();

        assertThat(MissingClaims.due(TestJobs.sampa("pair", "spec.suspend=true"), List.of(), T0))
                .isFalse();

        job.setStatus(new SamTrainingJobStatus());
        job.getStatus().setPhase(Phase.FAILED);
        assertThat(MissingClaims.due(job, List.of(), T0)).isFalse();
    }

    @Test
    void aRestartLooksItsClaimsUpOnlyOnceTheBackoffIsOver() {
        SamTrainingJob job = TestJobs.sampa("pair");
        job.setStatus(new SamTrainingJobStatus());
        job.getStatus().setPhase(Phase.RESTARTING);
        job.getStatus().setNextAttemptTime("2026-11-23T10:00:30Z");

        assertThat(MissingClaims.due(job, List.of(), T0)).isFalse();
        assertThat(MissingClaims.due(job, List.of(), T0.plusSeconds(30))).isTrue();
    }
}
