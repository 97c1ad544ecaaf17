package dev.sharpness.operator.reconcile;

import static dev.sharpness.operator.testing.PodStates.disrupted;
import static dev.sharpness.operator.testing.PodStates.pending;
import static dev.sharpness.operator.testing.PodStates.terminated;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.worker.ProgressReport;
import dev.sharpness.api.worker.SwapPace;
import dev.sharpness.api.worker.TerminationMessage;
import dev.sharpness.operator.pods.ObservedWorker;
import dev.sharpness.operator.pods.WorkerPods;
import dev.sharpness.operator.progress.ProgressReading;
import dev.sharpness.operator.reconcile.Lifecycle.Plan;
import dev.sharpness.operator.reconcile.Lifecycle.PodAction;
import dev.sharpness.operator.status.Conditions;
import dev.sharpness.operator.testing.PodStates;
import dev.sharpness.operator.testing.TestJobs;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The job's state machine, branch by branch, without a server: each test feeds observed pods and
 * time to {@link Lifecycle#plan} and checks what the operator would do and write.
 */
class LifecycleTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Duration POLL = Duration.ofSeconds(15);

    private SamTrainingJob job = TestJobs.sampa("pair");
    private Instant now = T0;

    @Test
    void newJobCreatesBothPodsOfTheFirstAttemptAndWaitsForThem() {
        Plan plan = step(List.of());

        assertThat(plan.pods()).isEqualTo(PodAction.CREATE);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.STARTING);
        assertThat(job.getStatus().getExecutionAttempt()).isZero();
        assertThat(job.getStatus().getStartTime()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(condition(Constants.CONDITION_PODS_READY).getStatus()).isEqualTo("False");
        assertThat(plan.requeueAfter()).isEqualTo(Duration.ofSeconds(600));
    }

    @Test
    void pairRunsOnlyWhenBothPodsRun() {
        step(List.of());
        now = T0.plusSeconds(5);
        assertThat(step(List.of(running(0), pending())).pods()).isEqualTo(PodAction.NONE);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.STARTING);

        now = T0.plusSeconds(9);
        Plan plan = step(List.of(running(0), running(1)));

        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.RUNNING);
        assertThat(condition(Constants.CONDITION_PODS_READY).getStatus()).isEqualTo("True");
        assertThat(job.getStatus().getWorkers())
                .extracting(w -> w.getRole() + "/" + w.getPod() + "/" + w.getPhase())
                .containsExactly("perturbed/pair-0/Running", "auxiliary/pair-1/Running");
        assertThat(plan.requeueAfter()).isEqualTo(POLL);
    }

    @Test
    void startupDeadlineDeletesBothPodsAndRetriesAfterBackoffWithoutCounting() {
        step(List.of());
        now = T0.plusSeconds(600);
        Plan plan = step(List.of(running(0), pending()));

        assertThat(plan.pods()).isEqualTo(PodAction.DELETE);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.RESTARTING);
        assertThat(condition(Constants.CONDITION_RESTARTING).getReason())
                .isEqualTo(Constants.REASON_STARTUP_TIMEOUT);
        assertThat(job.getStatus().getRestarts()).isEqualTo(1);
        assertThat(job.getStatus().getRestartsCountTowardsLimit()).isZero();
        assertThat(job.getStatus().getExecutionAttempt()).isEqualTo(1);
        assertThat(job.getStatus().getNextAttemptTime()).isEqualTo("2026-11-23T10:10:10Z");
    }

    @Test
    void nextAttemptWaitsForTheOldPodsToGoAndForTheBackoff() {
        failRank1WithExitCode(137);
        assertThat(job.getStatus().getNextAttemptTime()).isEqualTo("2026-11-23T10:01:10Z");

        // The old attempt's pods are still terminating: delete again, create nothing.
        now = T0.plusSeconds(62);
        assertThat(plan(attempt(0, running(0), terminated(137, "", T0)), null).pods())
                .isEqualTo(PodAction.DELETE);
        now = T0.plusSeconds(65);
        Plan waiting = step(List.of());
        assertThat(waiting.pods()).isEqualTo(PodAction.NONE);
        assertThat(waiting.requeueAfter()).isEqualTo(Duration.ofSeconds(5));

        now = T0.plusSeconds(70);
        assertThat(step(List.of()).pods()).isEqualTo(PodAction.CREATE);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.STARTING);
        assertThat(job.getStatus().getExecutionAttempt()).isEqualTo(1);
    }

    @Test
    void restartsWholePairWhenOneWorkerFails() {
        Plan plan = failRank1WithExitCode(137);

        assertThat(plan.pods()).isEqualTo(PodAction.DELETE);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.RESTARTING);
        assertThat(job.getStatus().getRestarts()).isEqualTo(1);
        assertThat(job.getStatus().getRestartsCountTowardsLimit()).isEqualTo(1);
        assertThat(job.getStatus().getLastFailure().getRank()).isEqualTo(1);
        assertThat(job.getStatus().getLastFailure().getExitCode()).isEqualTo(137);
        assertThat(job.getStatus().getLastFailure().getMessage())
                .isEqualTo("rank 1 exited with code 137 (Error): killed");
        assertThat(plan.events()).singleElement().satisfies(e -> assertThat(e.warning()).isTrue());
    }

    @Test
    void theFailureThatCameFirstNamesTheCause() {
        runBothRanks();
        now = T0.plusSeconds(100);
        step(
                List.of(
                        terminated(3, "peer lost", T0.plusSeconds(95)),
                        terminated(137, "", T0.plusSeconds(90))));

        assertThat(job.getStatus().getLastFailure().getRank()).isEqualTo(1);
        assertThat(job.getStatus().getLastFailure().getReason())
                .isEqualTo(Constants.REASON_WORKER_FAILED);
    }

    @Test
    void whenBothRanksEndWithinOneSecondThePeerLossIsNotTheCause() {
        runBothRanks();
        now = T0.plusSeconds(100);
        // Kubernetes writes finishedAt to the second: rank 0 lost its peer in the same one.
        Instant second = T0.plusSeconds(95);
        step(List.of(terminated(3, "peer lost", second), terminated(137, "", second)));

        assertThat(job.getStatus().getLastFailure().getRank()).isEqualTo(1);
        assertThat(job.getStatus().getLastFailure().getExitCode()).isEqualTo(137);
    }

    @Test
    void invalidConfigurationAndDivergenceFailTheJobWithoutRetry() {
        failRank1WithExitCode(4);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(condition(Constants.CONDITION_FAILED).getReason())
                .isEqualTo(Constants.REASON_DIVERGED);
        assertThat(job.getStatus().getRestarts()).isZero();

        job = TestJobs.sampa("pair");
        now = T0;
        failRank1WithExitCode(2);
        assertThat(condition(Constants.CONDITION_FAILED).getReason())
                .isEqualTo(Constants.REASON_INVALID_SPEC);
    }

    @Test
    void preemptionRestartsWithoutCountingTowardTheLimit() {
        runBothRanks();
        now = T0.plusSeconds(100);
        Plan plan = step(List.of(running(0), disrupted("10.0.0.2")));

        assertThat(plan.pods()).isEqualTo(PodAction.DELETE);
        assertThat(job.getStatus().getRestarts()).isEqualTo(1);
        assertThat(job.getStatus().getRestartsCountTowardsLimit()).isZero();
        assertThat(condition(Constants.CONDITION_RESTARTING).getReason())
                .isEqualTo(Constants.REASON_PREEMPTED);
    }

    @Test
    void theJobsOwnRulesComeBeforeTheBuiltInOnes() {
        job =
                TestJobs.sampa(
                        "pair",
                        "spec.failurePolicy.rules[0].action=Fail",
                        "spec.failurePolicy.rules[0].onExitCodes[0]=137");
        failRank1WithExitCode(137);

        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(job.getStatus().getRestarts()).isZero();
    }

    @Test
    void restartsBeyondTheLimitFailTheJob() {
        job = TestJobs.sampa("pair", "spec.failurePolicy.maxRestarts=1");
        failRank1WithExitCode(137);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.RESTARTING);

        now = now.plusSeconds(30);
        step(List.of());
        plan(attempt(1, running(0), running(1)), null);
        now = now.plusSeconds(30);
        Plan plan = plan(attempt(1, running(0), terminated(137, "", now)), null);

        assertThat(plan.pods()).isEqualTo(PodAction.DELETE);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(condition(Constants.CONDITION_FAILED).getReason())
                .isEqualTo(Constants.REASON_BACKOFF_LIMIT_EXCEEDED);
        assertThat(condition(Constants.CONDITION_FAILED).getMessage())
                .startsWith("restarted 1 times (failurePolicy.maxRestarts = 1)");
    }

    @Test
    void suspendDeletesThePodsAndResumeStartsANewAttempt() {
        runBothRanks();
        job.getSpec().setSuspend(true);
        now = T0.plusSeconds(100);
        Plan suspended = step(List.of(running(0), running(1)));

        assertThat(suspended.pods()).isEqualTo(PodAction.DELETE);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.SUSPENDED);
        assertThat(condition(Constants.CONDITION_SUSPENDED).getStatus()).isEqualTo("True");
        assertThat(step(List.of()).pods()).isEqualTo(PodAction.NONE);

        job.getSpec().setSuspend(false);
        now = T0.plusSeconds(200);
        Plan resumed = step(List.of());

        assertThat(resumed.pods()).isEqualTo(PodAction.CREATE);
        assertThat(job.getStatus().getExecutionAttempt()).isEqualTo(1);
        assertThat(job.getStatus().getRestarts()).isZero();
        assertThat(condition(Constants.CONDITION_SUSPENDED).getStatus()).isEqualTo("False");
    }

    @Test
    void suspendAndRestartSayTheCheckpointsAreLostWithoutACheckpointVolume() {
        // TestJobs' jobs name no checkpoint volume: checkpoints live in rank 0's emptyDir.
        runBothRanks();
        job.getSpec().setSuspend(true);
        Plan suspended = step(List.of(running(0), running(1)));

        assertThat(suspended.events())
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("checkpoints are lost"));
        assertThat(condition(Constants.CONDITION_SUSPENDED).getMessage())
                .contains("no checkpoint volume (spec.checkpoint.volume)")
                .contains("starts again from step 0");

        job.getSpec().setSuspend(false);
        Plan resumed = step(List.of());
        assertThat(resumed.events())
                .extracting(e -> e.message())
                .contains(
                        "resumed from step 0: the job has no checkpoint volume (spec.checkpoint.volume)");

        step(List.of(running(0), running(1)));
        now = T0.plusSeconds(60);
        Plan restarted = step(List.of(running(0), terminated(137, "OOMKilled", now)));
        assertThat(restarted.events())
                .extracting(e -> e.message())
                .anySatisfy(
                        m ->
                                assertThat(m)
                                        .contains(
                                                "restarting the pair from step 0 (no checkpoint volume)"));
    }

    @Test
    void suspendAndRestartKeepTheCheckpointsOnACheckpointVolume() {
        job = TestJobs.sampa("pair", "spec.checkpoint.volume.claimName=checkpoints");
        runBothRanks();
        job.getSpec().setSuspend(true);
        Plan suspended = step(List.of(running(0), running(1)));

        assertThat(suspended.events())
                .singleElement()
                .satisfies(
                        e ->
                                assertThat(e.message())
                                        .isEqualTo(
                                                "suspended: pods deleted; checkpoints are kept on"
                                                        + " volume checkpoints and training resumes"
                                                        + " from the last one"));
        job.getSpec().setSuspend(false);
        assertThat(step(List.of()).events())
                .extracting(e -> e.message())
                .contains("resumed from the last checkpoint");
    }

    @Test
    void podsOfTheSuspendedAttemptStillStoppingNeitherRunNorFailTheResumedOne() {
        runBothRanks();
        job.getSpec().setSuspend(true);
        step(List.of(running(0), running(1)));
        job.getSpec().setSuspend(false);

        // Resumed while the old pods are in their grace period: first still running, then rank 0
        // has checkpointed and exited 143.
        List<ObservedWorker> stillRunning = terminating(attempt(0, running(0), running(1)));
        Plan waiting = plan(stillRunning, null);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.PENDING);
        assertThat(job.getStatus().getWorkers()).isEmpty();
        assertThat(condition(Constants.CONDITION_PODS_READY).getStatus()).isEqualTo("False");
        assertThat(waiting.events()).extracting(e -> e.reason()).doesNotContain("Running");

        Plan afterSigterm =
                plan(terminating(attempt(0, terminated(143, "SIGTERM", now), running(1))), null);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.PENDING);
        assertThat(job.getStatus().getRestarts()).isZero();
        assertThat(job.getStatus().getLastFailure()).isNull();
        assertThat(afterSigterm.pods()).isEqualTo(PodAction.DELETE);
        assertThat(afterSigterm.events()).isEmpty();

        assertThat(step(List.of()).pods()).isEqualTo(PodAction.CREATE);
        assertThat(job.getStatus().getExecutionAttempt()).isEqualTo(1);
    }

    @Test
    void progressFromRankZeroFillsTheStatus() {
        runBothRanks();
        now = T0.plusSeconds(60);
        step(List.of(running(0), running(1)), progress(0, 30, 1, 0.25));

        var progress = job.getStatus().getProgress();
        assertThat(progress.getStep()).isEqualTo(30);
        assertThat(progress.getTotalSteps()).isEqualTo(120);
        assertThat(progress.getPercent()).isEqualTo(25);
        assertThat(progress.getDisplay()).isEqualTo("30/120 (25%)");
        assertThat(progress.getEtaSeconds()).isEqualTo(90);
        assertThat(progress.getTestAccuracy()).isEqualTo(0.25);
        assertThat(job.getStatus().getLastCheckpoint().getStep()).isEqualTo(20);
        assertThat(job.getStatus().getLastCheckpoint().getPath()).endsWith("ckpt-000000020.bin");
        assertThat(job.getStatus().getLastCheckpoint().getTime()).isEqualTo("2026-11-23T10:00:50Z");
    }

    @Test
    void testAccuracyIsEmptyUntilTheFirstEvaluationAndZeroWhenMeasuredZero() {
        runBothRanks();
        now = T0.plusSeconds(30);
        step(List.of(running(0), running(1)), progress(0, 10, 1, null));

        assertThat(job.getStatus().getProgress().getTestAccuracy()).isNull();
        assertThat(Serialization.asJson(job.getStatus().getProgress()))
                .doesNotContain("testAccuracy");

        now = T0.plusSeconds(60);
        step(List.of(running(0), running(1)), progress(0, 60, 1, 0.0));

        assertThat(job.getStatus().getProgress().getTestAccuracy()).isEqualTo(0.0);
    }

    @Test
    void progressIsAFractionOfTheRunAndEmptyUntilTheStepCountIsKnown() {
        runBothRanks();
        now = T0.plusSeconds(20);
        step(List.of(running(0), running(1)), progressOf(0, 0, 0));

        assertThat(job.getStatus().getProgress().getDisplay()).isNull();

        now = T0.plusSeconds(40);
        step(List.of(running(0), running(1)), progressOf(0, 119, 120));

        assertThat(job.getStatus().getProgress().getDisplay()).isEqualTo("119/120 (99%)");
    }

    @Test
    void aFinishedJobShowsTheWholeRunAsProgress() {
        runBothRanks();
        now = T0.plusSeconds(400);
        step(List.of(running(0), running(1)), progress(0, 110, 2, 0.8));
        now = T0.plusSeconds(500);
        String summary = "{\"testAccuracy\":0.8645,\"steps\":120,\"epochs\":2}";
        step(List.of(terminated(0, summary, now), terminated(0, summary, now)));

        assertThat(job.getStatus().getProgress().getDisplay()).isEqualTo("120/120 (100%)");
        assertThat(job.getStatus().getProgress().getTestAccuracy()).isEqualTo(0.8645);
    }

    @Test
    void aPairThatStopsAdvancingIsStalledAndRestarted() {
        job = TestJobs.sampa("pair", "spec.progressDeadlineSeconds=300");
        runBothRanks();
        now = T0.plusSeconds(60);
        step(List.of(running(0), running(1)), progress(0, 30, 1, 0.25));
        now = T0.plusSeconds(300);
        assertThat(step(List.of(running(0), running(1)), progress(0, 30, 1, 0.25)).pods())
                .isEqualTo(PodAction.NONE);

        now = T0.plusSeconds(361);
        Plan plan = step(List.of(running(0), running(1)), progress(0, 30, 1, 0.25));

        assertThat(plan.pods()).isEqualTo(PodAction.DELETE);
        assertThat(condition(Constants.CONDITION_STALLED).getReason())
                .isEqualTo(Constants.REASON_PROGRESS_DEADLINE_EXCEEDED);
        assertThat(job.getStatus().getRestartsCountTowardsLimit()).isEqualTo(1);
    }

    @Test
    void pastTheActiveDeadlineTheJobFails() {
        job = TestJobs.sampa("pair", "spec.activeDeadlineSeconds=3600");
        runBothRanks();
        now = T0.plusSeconds(3600);
        Plan plan = step(List.of(running(0), running(1)));

        assertThat(plan.pods()).isEqualTo(PodAction.DELETE);
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(condition(Constants.CONDITION_FAILED).getReason())
                .isEqualTo(Constants.REASON_DEADLINE_EXCEEDED);
    }

    @Test
    void finishedPairSucceedsWithTheResultFromTheTerminationMessage() {
        runBothRanks();
        now = T0.plusSeconds(500);
        String summary =
                "{\"testAccuracy\":0.8645,\"steps\":120,\"epochs\":2,"
                        + "\"parameterChecksum\":\"abc123\",\"wallSeconds\":36.0}";
        step(List.of(terminated(0, summary, now), terminated(0, summary, now)));

        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(job.getStatus().getResult().getTestAccuracy()).isEqualTo(0.8645);
        assertThat(job.getStatus().getResult().getParameterChecksum()).isEqualTo("abc123");
        assertThat(job.getStatus().getProgress().getPercent()).isEqualTo(100);
        assertThat(condition(Constants.CONDITION_COMPLETE).getMessage())
                .isEqualTo("training finished: test accuracy 0.8645 after 120 steps");
        assertThat(job.getStatus().getCompletionTime()).isEqualTo("2026-11-23T10:08:20Z");
    }

    @Test
    void aMalformedResultStillSucceedsAndTheStatusSaysTheResultIsUnknown() {
        runBothRanks();
        now = T0.plusSeconds(500);
        String cutOff = "{\"testAccuracy\":0.8645,\"steps\":12";
        Plan plan = step(List.of(terminated(0, cutOff, now), terminated(0, cutOff, now)));

        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(job.getStatus().getResult()).isNull();
        assertThat(job.getStatus().getProgress().getPercent()).isEqualTo(100);
        String expected =
                "training finished, but rank 0's result is unknown: the termination message is"
                        + " malformed: it is not JSON (it begins: "
                        + cutOff
                        + ")";
        assertThat(condition(Constants.CONDITION_COMPLETE).getMessage()).isEqualTo(expected);
        assertThat(plan.events())
                .singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo(expected));
    }

    @Test
    void aResultWithAFieldOfTheWrongTypeNamesTheField() {
        runBothRanks();
        now = T0.plusSeconds(500);
        String summary = "{\"testAccuracy\":\"high\",\"steps\":120}";
        step(List.of(terminated(0, summary, now), terminated(0, summary, now)));

        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(job.getStatus().getResult()).isNull();
        assertThat(condition(Constants.CONDITION_COMPLETE).getMessage())
                .contains("field \"testAccuracy\" has the wrong type");
    }

    @Test
    void aWorkersFailureMessageShowsItsErrorAndOtherTextAsItIs() {
        runBothRanks();
        now = T0.plusSeconds(60);
        String trainer = new TerminationMessage.Failed(2, "dataset.path: no such file").toJson();
        step(List.of(running(0), terminated(2, trainer, now)));

        assertThat(job.getStatus().getLastFailure().getMessage())
                .isEqualTo("rank 1 exited with code 2 (Error): dataset.path: no such file");
        assertThat(condition(Constants.CONDITION_FAILED).getReason())
                .isEqualTo(Constants.REASON_INVALID_SPEC);
    }

    @Test
    void finishedJobIsDeletedAfterItsTtl() {
        job = TestJobs.sampa("pair", "spec.ttlSecondsAfterFinished=60");
        failRank1WithExitCode(4);

        now = now.plusSeconds(30);
        Plan early = step(List.of());
        assertThat(early.deleteJob()).isFalse();
        assertThat(early.requeueAfter()).isEqualTo(Duration.ofSeconds(30));
        now = now.plusSeconds(30);
        assertThat(step(List.of()).deleteJob()).isTrue();
    }

    @Test
    void whatOnlyTheOperatorCanCheckFailsWithTheFieldNamed() {
        Plan plan =
                Lifecycle.plan(
                        job,
                        new Observation(
                                List.of(),
                                Optional.empty(),
                                Optional.of(
                                        "spec.dataset.volume.claimName: PersistentVolumeClaim \"x\" does not exist")),
                        now,
                        POLL);

        assertThat(plan.pods()).isEqualTo(PodAction.NONE);
        assertThat(plan.status().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(Conditions.find(plan.status().getConditions(), "Failed").get().getReason())
                .isEqualTo(Constants.REASON_INVALID_SPEC);
    }

    @Test
    void aDeletedPodRestartsThePairWithoutCounting() {
        runBothRanks();
        now = T0.plusSeconds(100);
        Plan plan = step(List.of(running(0)));

        assertThat(plan.pods()).isEqualTo(PodAction.DELETE);
        assertThat(job.getStatus().getRestartsCountTowardsLimit()).isZero();
        assertThat(job.getStatus().getLastFailure().getReason())
                .isEqualTo(Constants.REASON_POD_DELETED);
    }

    @Test
    void planningTwiceOnTheSameObservationChangesNothingTheSecondTime() {
        runBothRanks();
        now = T0.plusSeconds(60);
        ProgressReading reading = progress(0, 30, 1, 0.25);
        step(List.of(running(0), running(1)), reading);
        String first = Serialization.asJson(job.getStatus());
        now = T0.plusSeconds(61);

        Plan again = step(List.of(running(0), running(1)), reading);

        assertThat(again.pods()).isEqualTo(PodAction.NONE);
        assertThat(again.events()).isEmpty();
        assertThat(Serialization.asJson(job.getStatus())).isEqualTo(first);
    }

    @Test
    void singleWorkerMethodsRunOnePod() {
        job = TestJobs.sam("single");
        Plan plan = step(List.of());
        assertThat(plan.pods()).isEqualTo(PodAction.CREATE);
        step(List.of(running(0)));
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.RUNNING);
        assertThat(job.getStatus().getWorkers())
                .singleElement()
                .satisfies(w -> assertThat(w.getRole()).isEqualTo("single"));
    }

    // ---- helpers: a pretend cluster of the current attempt's pods ----

    private Plan failRank1WithExitCode(int exitCode) {
        runBothRanks();
        now = T0.plusSeconds(60);
        return step(List.of(running(0), terminated(exitCode, "killed", now)));
    }

    @Test
    void aPairWhoseSwapOutlastsItsPassIsToldOnceAsAWarningEvent() {
        runBothRanks();
        now = T0.plusSeconds(60);
        Plan computing = step(List.of(running(0), running(1)), paced(200, new SwapPace(23.6, 1.8)));
        now = T0.plusSeconds(75);
        Plan turned = step(List.of(running(0), running(1)), paced(300, new SwapPace(32.4, 55.1)));
        now = T0.plusSeconds(90);
        Plan still = step(List.of(running(0), running(1)), paced(400, new SwapPace(32.0, 54.0)));

        assertThat(computing.events()).isEmpty();
        assertThat(turned.events())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.warning()).isTrue();
                            assertThat(e.reason()).isEqualTo("SwapOutlastsGradientPass");
                            assertThat(e.message()).contains("transfer 55.1 ms, pass 32.4 ms");
                        });
        assertThat(still.events()).isEmpty();
        assertThat(job.getStatus().getProgress().getGradientPassMillis()).isEqualTo(32.0);
        assertThat(job.getStatus().getProgress().getSwapTransferMillis()).isEqualTo(54.0);
    }

    private void runBothRanks() {
        step(List.of());
        step(List.of(running(0), running(1)));
    }

    private Plan step(List<PodStatus> podsOfCurrentAttempt) {
        return step(podsOfCurrentAttempt, null);
    }

    private Plan step(List<PodStatus> podsOfCurrentAttempt, ProgressReading progress) {
        int attempt = job.getStatus() == null ? 0 : job.getStatus().getExecutionAttempt();
        return plan(attempt(attempt, podsOfCurrentAttempt.toArray(PodStatus[]::new)), progress);
    }

    private Plan plan(List<ObservedWorker> workers, ProgressReading progress) {
        Plan plan =
                Lifecycle.plan(
                        job, Observation.of(workers, Optional.ofNullable(progress)), now, POLL);
        job.setStatus(plan.status());
        return plan;
    }

    private List<ObservedWorker> attempt(int attempt, PodStatus... statuses) {
        List<ObservedWorker> workers = new ArrayList<>();
        var pods = WorkerPods.desired(job, attempt, "trainer:test");
        for (int rank = 0; rank < statuses.length; rank++) {
            workers.add(ObservedWorker.of(PodStates.withStatus(pods.get(rank), statuses[rank])));
        }
        return workers;
    }

    /** The same pods, marked for deletion and still in their grace period. */
    private static List<ObservedWorker> terminating(List<ObservedWorker> workers) {
        return workers.stream()
                .map(
                        w ->
                                new ObservedWorker(
                                        w.rank(),
                                        w.attempt(),
                                        w.pod(),
                                        w.node(),
                                        w.phase(),
                                        w.exitCode(),
                                        w.reason(),
                                        w.message(),
                                        w.finishedAt(),
                                        w.podIp(),
                                        w.conditions(),
                                        true))
                .toList();
    }

    private ProgressReading progress(int attempt, long step, int epoch, Double testAccuracy) {
        return new ProgressReading(
                attempt,
                new ProgressReport(
                        epoch,
                        step,
                        120,
                        0.9,
                        0.7,
                        0.3,
                        testAccuracy,
                        1.0,
                        4.0,
                        null,
                        20,
                        "/checkpoints/pair-33c9b363/checkpoints-18adf43c4f87/ckpt-000000020.bin",
                        T0.plusSeconds(50),
                        3,
                        ProgressReport.TRAINING),
                now);
    }

    /** A reading of a pair that has measured its pace. */
    private ProgressReading paced(long step, SwapPace pace) {
        return new ProgressReading(
                0,
                new ProgressReport(
                        1,
                        step,
                        1000,
                        0.9,
                        0.7,
                        null,
                        null,
                        10.0,
                        pace.swapTransferMillis(),
                        pace,
                        0,
                        "",
                        null,
                        3,
                        ProgressReport.TRAINING),
                now);
    }

    /** A reading with steps only: the trainer is starting or has not evaluated yet. */
    private ProgressReading progressOf(int attempt, long step, long totalSteps) {
        return new ProgressReading(
                attempt,
                new ProgressReport(
                        1,
                        step,
                        totalSteps,
                        null,
                        null,
                        null,
                        null,
                        0,
                        0,
                        null,
                        0,
                        "",
                        null,
                        3,
                        ProgressReport.TRAINING),
                now);
    }

    private static PodStatus running(int rank) {
        return PodStates.running("10.0.0." + (rank + 1));
    }

    private Condition condition(String type) {
        return Conditions.find(job.getStatus().getConditions(), type).orElseThrow();
    }
}
