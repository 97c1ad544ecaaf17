package dev.sharpness.operator.reconcile;

import static dev.sharpness.operator.testing.TestJobs.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sharpness.api.exchange.v1.Progress;
import dev.sharpness.api.v1alpha1.Constants;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.operator.children.ExchangeSecret;
import dev.sharpness.operator.testing.LogCapture;
import dev.sharpness.operator.testing.RunningOperator;
import dev.sharpness.operator.testing.StandInTrainer;
import dev.sharpness.operator.testing.TestCrd;
import dev.sharpness.operator.testing.TestJobs;
import dev.sharpness.operator.testing.TestKubelet;
import dev.sharpness.operator.testing.apiserver.StrictApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator end to end against the strict test API server (the chart's RBAC, object validation,
 * graceful pod deletion): the real reconciler in the real operator SDK runtime, a test kubelet
 * moving pods, and a stand-in for rank 0's progress server.
 */
class OperatorTest {
    static StrictApiServer api;
    static KubernetesClient client;

    private RunningOperator operator;
    private StandInTrainer trainer;
    private TestKubelet kubelet;

    @BeforeAll
    static void startServer() {
        api = StrictApiServer.watching(NAMESPACE);
        client = api.admin();
    }

    /**
     * Nothing the operator did would a real API server refuse, and together these tests take every
     * path that calls the API: the chart's Role for a watched namespace grants exactly what the
     * operator used there.
     */
    @AfterAll
    static void operatorDidNothingARealServerWouldRefuseAndUsedExactlyItsGrants() {
        try {
            api.assertConforms();
            api.assertUsedExactlyTheGrantsIn(NAMESPACE);
        } finally {
            api.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        TestCrd.apply(client);
        trainer = new StandInTrainer();
        kubelet = new TestKubelet(client, NAMESPACE);
        operator = new RunningOperator(api, NAMESPACE);
    }

    @AfterEach
    void stop() {
        operator.close();
        trainer.close();
        kubelet.close();
    }

    @Test
    void sampaJobRunsAsAPairWithProgressInStatusAndSucceeds() {
        SamTrainingJob job = create(TestJobs.sampa("happy", port()));

        List<Pod> pods = awaitPods("happy", 2, "0");
        assertThat(pods)
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("happy-0", "happy-1");
        List<HasMetadata> companions =
                List.of(
                        client.configMaps().inNamespace(NAMESPACE).withName("happy-config").get(),
                        client.secrets().inNamespace(NAMESPACE).withName("happy-exchange").get(),
                        client.services().inNamespace(NAMESPACE).withName("happy").get(),
                        client.network()
                                .v1()
                                .networkPolicies()
                                .inNamespace(NAMESPACE)
                                .withName("happy-exchange")
                                .get());
        assertThat(Stream.concat(companions.stream(), pods.stream()))
                .allSatisfy(
                        child ->
                                assertThat(child.getMetadata().getOwnerReferences())
                                        .singleElement()
                                        .satisfies(
                                                o -> assertThat(o.getUid()).isEqualTo(uid(job))));
        awaitPhase("happy", Phase.STARTING);

        trainer.expectToken(
                ExchangeSecret.token(
                        client.secrets().inNamespace(NAMESPACE).withName("happy-exchange").get()));
        trainer.report(
                Progress.newBuilder()
                        .setEpoch(1)
                        .setStep(30)
                        .setTotalSteps(120)
                        .setTestAccuracy(0.5)
                        .setStepsPerSecond(10)
                        .build());
        kubelet.runAll("happy");
        awaitPhase("happy", Phase.RUNNING);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () ->
                                assertThat(get("happy").getStatus().getProgress())
                                        .isNotNull()
                                        .satisfies(
                                                p -> {
                                                    assertThat(p.getStep()).isEqualTo(30);
                                                    assertThat(p.getPercent()).isEqualTo(25);
                                                }));

        String summary = "{\"testAccuracy\":0.91,\"steps\":120,\"parameterChecksum\":\"cafe\"}";
        kubelet.terminate("happy-1", 0, summary);
        kubelet.terminate("happy-0", 0, summary);
        awaitPhase("happy", Phase.SUCCEEDED);
        SamTrainingJob done = get("happy");
        assertThat(done.getStatus().getResult().getParameterChecksum()).isEqualTo("cafe");
        assertThat(done.getStatus().getResult().getTestAccuracy()).isEqualTo(0.91);
        assertThat(done.getStatus().getCompletionTime()).isNotNull();
        assertThat(events("happy"))
                .contains("Starting", "Running", Constants.REASON_TRAINING_FINISHED);
    }

    @Test
    void restartsWholePairWhenOneWorkerFails() {
        create(TestJobs.sampa("restart", port(), "spec.failurePolicy.backoff.initialSeconds=1"));
        awaitPods("restart", 2, "0");
        kubelet.runAll("restart");
        awaitPhase("restart", Phase.RUNNING);

        kubelet.terminate("restart-1", 137, "OOMKilled");

        List<Pod> next = awaitPods("restart", 2, "1");
        assertThat(next)
                .allSatisfy(
                        p ->
                                assertThat(
                                                p.getStatus() == null
                                                        || p.getStatus().getPhase() == null)
                                        .isTrue());
        SamTrainingJob job = get("restart");
        assertThat(job.getStatus().getRestarts()).isEqualTo(1);
        assertThat(job.getStatus().getRestartsCountTowardsLimit()).isEqualTo(1);
        assertThat(job.getStatus().getExecutionAttempt()).isEqualTo(1);
        assertThat(job.getStatus().getLastFailure().getRank()).isEqualTo(1);
        assertThat(job.getStatus().getLastFailure().getExitCode()).isEqualTo(137);
        assertThat(events("restart")).contains(Constants.REASON_WORKER_FAILED);
        assertThat(operator.metrics().find("sam_operator_restarts").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void operatorRestartInTheMiddleOfAJobCreatesNoDuplicatePodsAndLosesNoStatus() {
        create(TestJobs.sampa("reborn", port()));
        List<Pod> before = awaitPods("reborn", 2, "0");
        kubelet.runAll("reborn");
        awaitPhase("reborn", Phase.RUNNING);
        SamTrainingJob running = get("reborn");

        operator.close();
        operator = new RunningOperator(api, NAMESPACE);
        // Let the new operator reconcile the job a few times.
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);

        List<Pod> after = kubelet.pods("reborn");
        assertThat(after)
                .extracting(p -> p.getMetadata().getUid())
                .containsExactlyElementsOf(
                        before.stream().map(p -> p.getMetadata().getUid()).toList());
        SamTrainingJob now = get("reborn");
        assertThat(now.getStatus().getPhase()).isEqualTo(Phase.RUNNING);
        assertThat(now.getStatus().getStartTime()).isEqualTo(running.getStatus().getStartTime());
        assertThat(now.getStatus().getExecutionAttempt()).isZero();
        assertThat(now.getStatus().getRestarts()).isZero();
    }

    @Test
    void statusWriteSurvivesAConflict() {
        // The first status write meets a real conflict: someone else changes the job just then.
        String path =
                "/apis/sharpness.dev/v1alpha1/namespaces/"
                        + NAMESPACE
                        + "/samtrainingjobs/conflict/status";
        api.mock()
                .expect()
                .put()
                .withPath(path)
                .andReply(
                        409,
                        request -> {
                            // The change lands right after the refusal, from another thread: the
                            // mock server answers on one event loop, never call it from here.
                            CompletableFuture.runAsync(
                                    () ->
                                            TestJobs.edit(
                                                    client,
                                                    "conflict",
                                                    j ->
                                                            j.getMetadata()
                                                                    .setAnnotations(
                                                                            Map.of(
                                                                                    "touched",
                                                                                    "yes"))));
                            return new StatusBuilder()
                                    .withCode(409)
                                    .withReason("Conflict")
                                    .withMessage("the object has been modified")
                                    .build();
                        })
                .once();

        create(TestJobs.sampa("conflict", port()));

        awaitPhase("conflict", Phase.STARTING);
        awaitPods("conflict", 2, "0");
        assertThat(get("conflict").getMetadata().getAnnotations()).containsEntry("touched", "yes");
    }

    @Test
    void suspendDeletesThePodsAndResumeStartsANewAttempt() {
        create(TestJobs.sam("solo", port()));
        awaitPods("solo", 1, "0");
        kubelet.runAll("solo");
        awaitPhase("solo", Phase.RUNNING);

        TestJobs.edit(client, "solo", j -> j.getSpec().setSuspend(true));
        awaitPhase("solo", Phase.SUSPENDED);
        await().atMost(Duration.ofSeconds(10)).until(() -> kubelet.pods("solo").isEmpty());

        TestJobs.edit(client, "solo", j -> j.getSpec().setSuspend(false));
        awaitPods("solo", 1, "1");
        assertThat(get("solo").getStatus().getRestarts()).isZero();
    }

    @Test
    void resumeWhileTheOldPairIsStillStoppingWaitsForItAndCountsNoFailure() {
        // With no restarts allowed, a suspend counted as a failure would fail the job.
        create(TestJobs.sampa("pause", port(), "spec.failurePolicy.maxRestarts=0"));
        awaitPods("pause", 2, "0");
        kubelet.runAll("pause");
        awaitPhase("pause", Phase.RUNNING);

        kubelet.holdTerminations();
        TestJobs.edit(client, "pause", j -> j.getSpec().setSuspend(true));
        awaitPhase("pause", Phase.SUSPENDED);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> kubelet.terminating("pause").size() == 2);
        // Resumed within the old pods' grace period: they still run (rank 0 is checkpointing).
        TestJobs.edit(client, "pause", j -> j.getSpec().setSuspend(false));

        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(6))
                .untilAsserted(
                        () -> {
                            SamTrainingJob job = get("pause");
                            assertThat(job.getStatus().getPhase()).isEqualTo(Phase.PENDING);
                            assertThat(job.getStatus().getExecutionAttempt()).isEqualTo(1);
                            assertThat(job.getStatus().getWorkers()).isEmpty();
                            assertThat(podsReady(job)).isEqualTo("False");
                            assertThat(kubelet.pods("pause"))
                                    .allSatisfy(p -> assertThat(attempt(p)).isEqualTo("0"));
                        });

        kubelet.release(); // the old ranks stop: exit 143, then they go
        awaitPods("pause", 2, "1");
        kubelet.runAll("pause");
        awaitPhase("pause", Phase.RUNNING);
        SamTrainingJob job = get("pause");
        assertThat(job.getStatus().getRestarts()).isZero();
        assertThat(job.getStatus().getRestartsCountTowardsLimit()).isZero();
        assertThat(job.getStatus().getLastFailure()).isNull();
        assertThat(events("pause"))
                .doesNotContain(Constants.REASON_WORKER_FAILED)
                // Attempt 0 and attempt 1; none while only the old pods ran.
                .filteredOn("Running"::equals)
                .hasSize(2);
    }

    @Test
    void aPodDeletedByTheClusterRestartsThePairWithoutCountingItsSigtermExit() {
        create(TestJobs.sampa("evicted", port(), "spec.failurePolicy.backoff.initialSeconds=1"));
        awaitPods("evicted", 2, "0");
        kubelet.runAll("evicted");
        awaitPhase("evicted", Phase.RUNNING);

        client.pods().inNamespace(NAMESPACE).withName("evicted-1").delete();

        awaitPods("evicted", 2, "1");
        SamTrainingJob job = get("evicted");
        assertThat(job.getStatus().getRestarts()).isEqualTo(1);
        assertThat(job.getStatus().getRestartsCountTowardsLimit()).isZero();
        assertThat(job.getStatus().getLastFailure().getReason())
                .isEqualTo(Constants.REASON_POD_DELETED);
    }

    @Test
    void aJobBeingDeletedGetsNoNewPods() {
        SamTrainingJob job =
                TestJobs.sampa("leaving", port(), "spec.failurePolicy.backoff.initialSeconds=1");
        // Held by someone else's finalizer, as in a foreground deletion.
        job.getMetadata().setFinalizers(List.of("test.sharpness.dev/hold"));
        create(job);
        awaitPods("leaving", 2, "0");
        kubelet.runAll("leaving");
        awaitPhase("leaving", Phase.RUNNING);

        client.resources(SamTrainingJob.class).inNamespace(NAMESPACE).withName("leaving").delete();
        // The garbage collector takes the children first.
        client.pods().inNamespace(NAMESPACE).withLabel(Constants.LABEL_JOB, "leaving").delete();

        await().atMost(Duration.ofSeconds(10)).until(() -> kubelet.pods("leaving").isEmpty());
        // Longer than the restart backoff: a restart would have created new pods by now.
        await().during(Duration.ofSeconds(3)).until(() -> kubelet.pods("leaving").isEmpty());
        TestJobs.edit(client, "leaving", j -> j.getMetadata().setFinalizers(List.of()));
    }

    @Test
    void deletingTheNamespaceOfRunningJobsLeavesThemAloneQuietly() {
        List<String> jobs = List.of("doomed-a", "doomed-b", "doomed-c");
        for (String name : jobs) {
            create(TestJobs.sampa(name, port(), "spec.failurePolicy.backoff.initialSeconds=1"));
        }
        for (String name : jobs) {
            awaitPods(name, 2, "0");
            kubelet.runAll(name);
            awaitPhase(name, Phase.RUNNING);
        }

        try (LogCapture log = LogCapture.warningsAndErrors()) {
            api.deleteNamespace(NAMESPACE);
            await().atMost(Duration.ofSeconds(60)).until(() -> !api.isTerminating(NAMESPACE));
            // A little longer, for anything the operator would still try.
            await().pollDelay(Duration.ofSeconds(2)).until(() -> true);

            assertThat(client.configMaps().inNamespace(NAMESPACE).list().getItems()).isEmpty();
            assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
            assertThat(
                            client.resources(SamTrainingJob.class)
                                    .inNamespace(NAMESPACE)
                                    .list()
                                    .getItems())
                    .isEmpty();
            assertThat(log.lines()).isEmpty();
        }
    }

    @Test
    void pastItsDeadlineAJobFailsAndStaysFailedWhileItsPodsStop() {
        create(TestJobs.sampa("late", port(), "spec.activeDeadlineSeconds=3"));
        awaitPods("late", 2, "0");
        kubelet.holdTerminations();
        kubelet.runAll("late");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> get("late").getStatus().getPhase() == Phase.FAILED);
        await().atMost(Duration.ofSeconds(10)).until(() -> kubelet.terminating("late").size() == 2);
        kubelet.release(); // both ranks stop with 143, then go

        await().atMost(Duration.ofSeconds(10)).until(() -> kubelet.pods("late").isEmpty());
        SamTrainingJob job = get("late");
        assertThat(job.getStatus().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(job.getStatus().getRestarts()).isZero();
        assertThat(job.getStatus().getConditions())
                .filteredOn(c -> c.getType().equals(Constants.CONDITION_FAILED))
                .singleElement()
                .satisfies(
                        c ->
                                assertThat(c.getReason())
                                        .isEqualTo(Constants.REASON_DEADLINE_EXCEEDED));
    }

    @Test
    void aFinishedJobIsDeletedWhenItsTtlHasPassed() {
        create(TestJobs.sam("brief", port(), "spec.ttlSecondsAfterFinished=1"));
        awaitPods("brief", 1, "0");
        kubelet.runAll("brief");
        awaitPhase("brief", Phase.RUNNING);

        kubelet.terminate("brief-0", 0, "{\"testAccuracy\":0.5,\"steps\":10}");

        await().atMost(Duration.ofSeconds(20)).until(() -> get("brief") == null);
    }

    @Test
    void aMalformedResultEndsTheJobSucceededWithAStatusThatSaysTheResultIsUnknown() {
        create(TestJobs.sam("garbled", port()));
        awaitPods("garbled", 1, "0");
        kubelet.runAll("garbled");
        awaitPhase("garbled", Phase.RUNNING);

        kubelet.terminate("garbled-0", 0, "{\"testAccuracy\":0.5,\"steps\":1");

        awaitPhase("garbled", Phase.SUCCEEDED);
        assertThat(get("garbled").getStatus().getResult()).isNull();
        assertThat(get("garbled").getStatus().getConditions())
                .filteredOn(c -> c.getType().equals(Constants.CONDITION_COMPLETE))
                .singleElement()
                .satisfies(
                        c ->
                                assertThat(c.getMessage())
                                        .startsWith(
                                                "training finished, but rank 0's result is"
                                                        + " unknown: the termination message is"
                                                        + " malformed: it is not JSON"));
    }

    @Test
    void missingClaimFailsTheJobNamingTheField() {
        create(TestJobs.sampa("claim", port(), "spec.dataset.volume.claimName=imagenet"));

        awaitPhase("claim", Phase.FAILED);
        assertThat(get("claim").getStatus().getConditions())
                .filteredOn(c -> c.getType().equals("Failed"))
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.getReason()).isEqualTo(Constants.REASON_INVALID_SPEC);
                            assertThat(c.getMessage())
                                    .startsWith(
                                            "spec.dataset.volume.claimName: PersistentVolumeClaim \"imagenet\" does not exist");
                        });
        assertThat(kubelet.pods("claim")).isEmpty();
    }

    @Test
    void aJobDeletedMidRunIsForgottenAndItsChildrenAreOwnedByIt() {
        SamTrainingJob job = create(TestJobs.sampa("gone", port()));
        awaitPods("gone", 2, "0");
        kubelet.runAll("gone");
        awaitPhase("gone", Phase.RUNNING);
        double running = runningGauge();

        client.resource(job).delete();

        // Kubernetes' garbage collector deletes what the job owns (the mock server has none):
        // every child names the job as its controlling owner.
        assertThat(kubelet.pods("gone"))
                .allSatisfy(
                        pod ->
                                assertThat(pod.getMetadata().getOwnerReferences())
                                        .singleElement()
                                        .satisfies(o -> assertThat(o.getController()).isTrue()));
        await().atMost(Duration.ofSeconds(10)).until(() -> runningGauge() == running - 1);
    }

    // ---- helpers ----

    private double runningGauge() {
        return operator.metrics().find("sam_operator_jobs").tag("phase", "Running").gauge().value();
    }

    private static String podsReady(SamTrainingJob job) {
        return job.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals(Constants.CONDITION_PODS_READY))
                .findFirst()
                .orElseThrow()
                .getStatus();
    }

    private static String attempt(Pod pod) {
        return pod.getMetadata().getLabels().get(Constants.LABEL_ATTEMPT);
    }

    private String port() {
        return "spec.communication.port=" + trainer.port();
    }

    private SamTrainingJob create(SamTrainingJob job) {
        job.getMetadata().setUid(null);
        job.getMetadata().setGeneration(null);
        return client.resource(job).create();
    }

    private SamTrainingJob get(String name) {
        return client.resources(SamTrainingJob.class).inNamespace(NAMESPACE).withName(name).get();
    }

    private static String uid(SamTrainingJob job) {
        return job.getMetadata().getUid();
    }

    private List<Pod> awaitPods(String job, int count, String attempt) {
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> {
                            List<Pod> pods = kubelet.pods(job);
                            return pods.size() == count
                                    && pods.stream()
                                            .allMatch(
                                                    p ->
                                                            attempt.equals(
                                                                    p.getMetadata()
                                                                            .getLabels()
                                                                            .get(
                                                                                    Constants
                                                                                            .LABEL_ATTEMPT)));
                        });
        return kubelet.pods(job);
    }

    private void awaitPhase(String name, Phase phase) {
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> {
                            SamTrainingJob job = get(name);
                            assertThat(job.getStatus()).isNotNull();
                            assertThat(job.getStatus().getPhase()).isEqualTo(phase);
                        });
    }

    private List<String> events(String job) {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> job.equals(e.getInvolvedObject().getName()))
                .map(io.fabric8.kubernetes.api.model.Event::getReason)
                .toList();
    }
}
