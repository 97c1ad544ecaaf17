package dev.sharpness.operator.e2e;

import static dev.sharpness.operator.testing.TestJobs.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.Phase;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobStatus;
import dev.sharpness.operator.testing.LogCapture;
import dev.sharpness.operator.testing.ProcessKubelet;
import dev.sharpness.operator.testing.RunningOperator;
import dev.sharpness.operator.testing.TestJobs;
import dev.sharpness.operator.testing.apiserver.StrictApiServer;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The operator and the trainer together, for real: the operator runs against the mock API server,
 * and a {@link ProcessKubelet} runs every pod it creates as a {@code sam-trainer worker} process of
 * the packaged trainer, writing exit codes and termination messages back into the pods. A SAMPa job
 * runs to its result; the same job with rank 1 killed mid-run is restarted as a pair, resumes from
 * rank 0's checkpoint and ends with the same parameters.
 */
class EndToEndTest {
    private static StrictApiServer api;
    private static KubernetesClient client;

    /** 640 synthetic samples, 10% held out, batches of 16: 36 steps an epoch, 144 in all. */
    private static final long TOTAL_STEPS = 144;

    /** Rank 1 dies once rank 0 has checkpointed this step (checkpoints every 10 steps). */
    private static final long KILL_AFTER_CHECKPOINT = 40;

    private static final Duration JOB_LIMIT = Duration.ofMinutes(3);
    private static final Path NODE = Path.of("target", "e2e").toAbsolutePath();

    /** A second tenant's namespace, deleted with a pair running in it. */
    private static final String DOOMED = "team-b";

    private static RunningOperator operator;
    private static ProcessKubelet kubelet;
    private static SamTrainingJob uninterrupted;

    @RegisterExtension
    static final TestWatcher TAILS =
            new TestWatcher() {
                @Override
                public void testFailed(ExtensionContext context, Throwable cause) {
                    printTails();
                }
            };

    @BeforeAll
    static void runTheJobUninterrupted() throws IOException {
        ProcessKubelet.trainerJar(); // fails at once, naming the build step, without the jar
        api = StrictApiServer.watching(NAMESPACE, DOOMED);
        client = api.admin();
        deleteRecursively(NODE);
        CustomResourceDefinition crd =
                client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .load(Path.of("../crds/samtrainingjobs.sharpness.dev-v1.yml").toFile())
                        .item();
        client.resource(crd).createOr(existing -> existing.update());
        claim(NAMESPACE);
        kubelet = node(NAMESPACE, NODE);
        operator = new RunningOperator(api, NAMESPACE);
        try {
            client.resource(job("straight")).create();
            uninterrupted = awaitFinished("straight");
        } catch (RuntimeException | Error e) {
            printTails();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (kubelet != null) {
            kubelet.close();
        }
        try {
            api.assertConforms();
        } finally {
            api.close();
        }
    }

    @Test
    void sampaJobRunsAsTwoTrainerProcessesToSucceededWithProgressAndResult() {
        SamTrainingJobStatus status = uninterrupted.getStatus();
        assertThat(status.getPhase())
                .as(status.getConditions().toString())
                .isEqualTo(Phase.SUCCEEDED);
        assertThat(status.getRestarts()).isZero();
        assertThat(status.getResult().getParameterChecksum()).isNotBlank();
        assertThat(status.getResult().getSteps()).isEqualTo(TOTAL_STEPS);
        assertThat(status.getResult().getTestAccuracy()).isNotNull();
        assertThat(status.getProgress().getPercent()).isEqualTo(100);
        assertThat(kubelet.started("straight-0")).isEqualTo(1);
        assertThat(kubelet.started("straight-1")).isEqualTo(1);
        assertThat(kubelet.problems()).isEmpty();
        // The pods' CPU request (half a core, rounded up) reached both trainers and sized them.
        for (String pod : List.of("straight-0", "straight-1")) {
            assertThat(kubelet.log(pod))
                    .containsPattern(
                            "Using 1 of the \\d+ cores the JVM may use \\(SAM_CPU_CORES=1\\);"
                                    + " PyTorch threads: 1; exchange streams offered: 1");
        }
    }

    @Test
    void pairWithRankOneKilledMidRunRestartsResumesAndEndsWithTheSameParameters() {
        client.resource(job("killed")).create();
        Path jobFolder = kubelet.claim("checkpoints").resolve(folderOf("killed"));
        await("a checkpoint at step " + KILL_AFTER_CHECKPOINT)
                .atMost(JOB_LIMIT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> newestCheckpoint(jobFolder) >= KILL_AFTER_CHECKPOINT);
        assertThat(get("killed").getStatus().getPhase()).isEqualTo(Phase.RUNNING);

        assertThat(kubelet.kill("killed-1")).as("rank 1 was running").isTrue();
        long killedAfter = newestCheckpoint(jobFolder);
        assertThat(killedAfter).as("killed before the end").isLessThan(TOTAL_STEPS);

        SamTrainingJob done = awaitFinished("killed");
        SamTrainingJobStatus status = done.getStatus();
        assertThat(status.getPhase())
                .as(status.getConditions().toString())
                .isEqualTo(Phase.SUCCEEDED);
        assertThat(status.getRestarts()).isEqualTo(1);
        assertThat(status.getLastFailure().getRank()).isEqualTo(1);
        assertThat(status.getLastFailure().getExitCode()).isEqualTo(137);
        assertThat(kubelet.started("killed-0")).isEqualTo(2);
        assertThat(kubelet.started("killed-1")).isEqualTo(2);
        // The second pair went on from a checkpoint the first one wrote, not from step 0.
        Matcher resumed =
                Pattern.compile("resuming from step (\\d+)").matcher(kubelet.log("killed-0"));
        assertThat(resumed.find()).as("rank 0 resumed").isTrue();
        assertThat(Long.parseLong(resumed.group(1)))
                .isBetween(KILL_AFTER_CHECKPOINT, TOTAL_STEPS - 1);
        assertThat(status.getResult().getSteps()).isEqualTo(TOTAL_STEPS);
        assertThat(status.getResult().getParameterChecksum())
                .isEqualTo(uninterrupted.getStatus().getResult().getParameterChecksum());
        assertThat(kubelet.problems()).isEmpty();
    }

    @Test
    void pairSuspendedMidRunAndResumedAtOnceContinuesFromItsCheckpointToTheSameParameters() {
        client.resource(job("paused")).create();
        Path jobFolder = kubelet.claim("checkpoints").resolve(folderOf("paused"));
        await("a checkpoint at step 20")
                .atMost(JOB_LIMIT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> newestCheckpoint(jobFolder) >= 20);

        TestJobs.edit(client, "paused", j -> j.getSpec().setSuspend(true));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> get("paused").getStatus().getPhase() == Phase.SUSPENDED);
        // At once: the old ranks may still be stopping (SIGTERM, rank 0 checkpoints, exit 143).
        TestJobs.edit(client, "paused", j -> j.getSpec().setSuspend(false));

        SamTrainingJobStatus status = awaitFinished("paused").getStatus();
        assertThat(status.getPhase())
                .as(status.getConditions().toString())
                .isEqualTo(Phase.SUCCEEDED);
        assertThat(status.getRestarts()).isZero();
        assertThat(status.getLastFailure()).isNull();
        assertThat(status.getExecutionAttempt()).isEqualTo(1);
        assertThat(kubelet.started("paused-0")).isEqualTo(2);
        Matcher resumed =
                Pattern.compile("resuming from step (\\d+)").matcher(kubelet.log("paused-0"));
        assertThat(resumed.find()).as("rank 0 resumed").isTrue();
        assertThat(Long.parseLong(resumed.group(1))).isBetween(20L, TOTAL_STEPS - 1);
        assertThat(status.getResult().getParameterChecksum())
                .isEqualTo(uninterrupted.getStatus().getResult().getParameterChecksum());
        assertThat(kubelet.problems()).isEmpty();
    }

    @Test
    void deletingTheNamespaceOfARunningPairStopsItsTrainersAndLeavesItQuietly() {
        claim(DOOMED);
        try (ProcessKubelet doomedNode = node(DOOMED, NODE.resolve(DOOMED));
                RunningOperator doomedOperator = new RunningOperator(api, DOOMED)) {
            SamTrainingJob job = job("doomed");
            job.getMetadata().setNamespace(DOOMED);
            // Long enough to be running, with progress reported, when its namespace goes: a
            // 4-epoch job can finish before the operator's first progress poll on a quiet machine.
            // So this is also the test that a running job's status shows rank 0's progress.
            job.getSpec().getTraining().setEpochs(200);
            client.resource(job).create();
            await("doomed running, with its progress in the status")
                    .atMost(JOB_LIMIT)
                    .until(
                            () -> {
                                SamTrainingJobStatus seen =
                                        client.resources(SamTrainingJob.class)
                                                .inNamespace(DOOMED)
                                                .withName("doomed")
                                                .get()
                                                .getStatus();
                                return seen != null
                                        && seen.getPhase() == Phase.RUNNING
                                        && seen.getProgress() != null
                                        && seen.getProgress().getStep() != null
                                        && seen.getProgress().getStep() > 0
                                        && seen.getProgress().getPercent() != null
                                        && seen.getProgress().getPercent() < 100;
                            });

            try (LogCapture log = LogCapture.warningsAndErrors()) {
                api.deleteNamespace(DOOMED);
                // The trainers get SIGTERM, rank 0 checkpoints, the pods go, then the job.
                await().atMost(Duration.ofSeconds(90)).until(() -> !api.isTerminating(DOOMED));
                await().pollDelay(Duration.ofSeconds(2)).until(() -> true);

                assertThat(client.pods().inNamespace(DOOMED).list().getItems()).isEmpty();
                assertThat(client.configMaps().inNamespace(DOOMED).list().getItems()).isEmpty();
                assertThat(
                                client.resources(SamTrainingJob.class)
                                        .inNamespace(DOOMED)
                                        .list()
                                        .getItems())
                        .isEmpty();
                assertThat(doomedNode.started("doomed-0")).as("no pod came back").isEqualTo(1);
                assertThat(doomedNode.problems()).isEmpty();
                assertThat(log.lines()).isEmpty();
            }
        }
    }

    // ---- helpers ----

    /** A node running this namespace's pods as trainer processes, under {@code root}. */
    private static ProcessKubelet node(String namespace, Path root) {
        return new ProcessKubelet(
                        client,
                        namespace,
                        ProcessKubelet.trainerJar(),
                        root,
                        List.of(
                                // As the trainer image runs it.
                                "-Dai.djl.offline=true",
                                "-XX:+ExitOnOutOfMemoryError",
                                // Two workers share two cores here. The thread count is part of a
                                // bit-exact result: every worker uses one.
                                "-Dai.djl.pytorch.num_threads=1",
                                "-Dai.djl.pytorch.num_interop_threads=1",
                                "-XX:+UseSerialGC"))
                // Every pod would unpack the same PyTorch natives (430 MB, seconds of work) into
                // its /tmp/djl: like a node's image layers, the ones this machine already unpacked
                // serve every pod.
                .withNodeFolder("/tmp/djl", djlCache())
                .start();
    }

    /** The PersistentVolumeClaim "checkpoints" every job here names. */
    private static void claim(String namespace) {
        client.persistentVolumeClaims()
                .inNamespace(namespace)
                .resource(
                        new PersistentVolumeClaimBuilder()
                                .withNewMetadata()
                                .withName("checkpoints")
                                .endMetadata()
                                .build())
                .create();
    }

    /** The same training for every job; only the name and the exchange port differ. */
    private static SamTrainingJob job(String name) {
        String yaml =
                """
                apiVersion: sharpness.dev/v1alpha1
                kind: SamTrainingJob
                metadata: {name: %s}
                spec:
                  model: {architecture: mlp}
                  dataset:
                    format: synthetic
                    synthetic: {trainSamples: 640, testSamples: 64, classes: 4, imageSize: 8}
                  optimizer: {method: SAMPa, rho: 0.05, base: {learningRate: 0.05}}
                  training: {epochs: 4, batchSize: 16, seed: 7}
                  communication: {port: %d, exchangeTimeoutSeconds: 20, checksumEverySteps: 10}
                  checkpoint: {volume: {claimName: checkpoints}, everySteps: 10, keep: 3}
                  scheduling: {startupDeadlineSeconds: 120}
                  failurePolicy: {backoff: {initialSeconds: 1}}
                  worker: {resources: {requests: {cpu: 500m}}}
                """
                        .formatted(name, freePort());
        SamTrainingJob job = ManifestLoader.parse(yaml, name, List.of());
        job.getMetadata().setNamespace(NAMESPACE);
        return job;
    }

    /** The job's folder on the checkpoint claim: its name and the first 8 characters of its uid. */
    private static String folderOf(String name) {
        await().atMost(Duration.ofSeconds(10)).until(() -> get(name) != null);
        return name + "-" + get(name).getMetadata().getUid().substring(0, 8);
    }

    private static long newestCheckpoint(Path jobFolder) {
        if (!Files.isDirectory(jobFolder)) {
            return 0;
        }
        Pattern file = Pattern.compile("step-(\\d{12})\\.ckpt");
        try (Stream<Path> files = Files.walk(jobFolder)) {
            return files.map(p -> file.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToLong(m -> Long.parseLong(m.group(1)))
                    .max()
                    .orElse(0);
        } catch (IOException | UncheckedIOException e) {
            // A checkpoint renamed or pruned while walking (the lazy walk throws it unchecked):
            // look again.
            return 0;
        }
    }

    private static SamTrainingJob awaitFinished(String name) {
        await("job " + name + " finished")
                .atMost(JOB_LIMIT)
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            SamTrainingJob job = get(name);
                            return job != null
                                    && job.getStatus() != null
                                    && job.getStatus().getPhase().isFinished();
                        });
        return get(name);
    }

    private static SamTrainingJob get(String name) {
        return client.resources(SamTrainingJob.class).inNamespace(NAMESPACE).withName(name).get();
    }

    /** DJL's cache on this machine, where the trainer's own tests unpacked the natives. */
    private static Path djlCache() {
        String configured = System.getenv("DJL_CACHE_DIR");
        return configured != null
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".djl.ai");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void printTails() {
        if (kubelet != null) {
            System.out.println("trainer processes (last lines of each):\n" + kubelet.tails(30));
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
