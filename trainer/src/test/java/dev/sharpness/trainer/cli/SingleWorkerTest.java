package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.api.exchange.v1.Progress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pod contract of a single worker (SGD, SAM, K-SAM, LookSAM), with real worker processes: rank
 * 0 with no peer trains alone, answers the operator's GetProgress (token required) and serves
 * /metrics while it trains, starts from step 0 under the operator's unconditional --resume, and on
 * SIGTERM stops at a step boundary with a checkpoint and exit code 143.
 */
class SingleWorkerTest {
    /** 384 training samples in batches of 32: 12 steps per epoch, 48 in all. */
    private static final String JOB =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: single-job}
            spec:
              model: {architecture: cnn}
              dataset:
                format: synthetic
                validationFraction: 0.25
                synthetic: {trainSamples: 512, testSamples: 64, classes: 4, imageSize: 8}
              optimizer:
                method: SAM
                rho: 0.05
                base: {learningRate: 0.05}
              training: {epochs: 4, batchSize: 32, seed: 7}
              checkpoint: {everySteps: 5, keep: 2}
            """;

    @TempDir Path dir;

    @Test
    @Timeout(180)
    void servesProgressAndMetricsWhileTrainingAloneAndFinishes() throws Exception {
        Workers workers = new Workers(dir, JOB);
        int port = Workers.freePort();
        int metricsPort = Workers.freePort();
        Process worker =
                Workers.withMetrics(
                                Workers.resuming(
                                        Workers.alone(workers.worker(0, port, "out", "worker"))),
                                metricsPort)
                        .start();

        AtomicReference<Progress> training = new AtomicReference<>();
        Workers.await(
                "a step reported over GetProgress",
                Duration.ofSeconds(60),
                () -> {
                    Progress p = progressOrNull(port);
                    if (p != null && p.getStep() > 0 && p.getStep() < p.getTotalSteps()) {
                        training.set(p);
                        return true;
                    }
                    return !worker.isAlive();
                });
        Progress p = training.get();
        assertThat(p).as("progress while training").isNotNull();
        assertThat(p.getState()).isEqualTo("Training");
        assertThat(p.getTotalSteps()).isEqualTo(48);
        assertThat(p.getEpochsTotal()).isEqualTo(4);
        assertThat(p.getTrainLoss()).isPositive();
        assertThat(p.getStepsPerSecond()).isPositive();

        String first = Workers.scrape(metricsPort);
        assertThatThrownBy(() -> Workers.progress(port, "not-the-token"))
                .isInstanceOf(StatusRuntimeException.class)
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);

        AtomicReference<Progress> evaluated = new AtomicReference<>();
        Workers.await(
                "an evaluated epoch and a checkpoint",
                Duration.ofSeconds(60),
                () -> {
                    Progress q = progressOrNull(port);
                    if (q != null && q.getTestAccuracy() > 0 && q.getLastCheckpointStep() > 0) {
                        evaluated.set(q);
                        return true;
                    }
                    return !worker.isAlive();
                });
        String second = Workers.scrape(metricsPort);
        assertThat(evaluated.get()).as("progress after an epoch").isNotNull();
        Progress q = evaluated.get();
        assertThat(q.getValidationAccuracy()).isPositive();
        assertThat(q.getLastCheckpointPath())
                .endsWith(String.format("step-%012d.ckpt", q.getLastCheckpointStep()));
        assertThat(q.getLastCheckpointUnixMillis())
                .isBetween(System.currentTimeMillis() - 120_000, System.currentTimeMillis());

        // The first scrape may land on the step the evaluation then pauses at: wait for a move.
        double firstStep = Workers.sample(first, "sam_step");
        AtomicReference<String> moved = new AtomicReference<>(second);
        Workers.await(
                "sam_step to move past " + firstStep,
                Duration.ofSeconds(60),
                () -> {
                    if (Workers.sample(moved.get(), "sam_step") > firstStep) {
                        return true;
                    }
                    try {
                        moved.set(Workers.scrape(metricsPort));
                    } catch (IOException e) {
                        return !worker.isAlive();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return true;
                    }
                    return !worker.isAlive();
                });
        assertThat(Workers.sample(moved.get(), "sam_step"))
                .as("sam_step moves")
                .isGreaterThan(firstStep);
        assertThat(Workers.sample(moved.get(), "sam_step_seconds_count"))
                .isGreaterThan(Workers.sample(first, "sam_step_seconds_count"));
        assertThat(Workers.sample(second, "sam_train_loss")).isPositive();
        assertThat(Workers.sample(second, "sam_test_accuracy")).isPositive();
        assertThat(Workers.sample(second, "sam_total_steps")).isEqualTo(48);

        assertThat(Workers.exitCode(worker)).as(workers.log("worker")).isZero();
        String log = workers.log("worker");
        assertThat(log).contains("starting from step 0").contains("Refused");
        JsonNode message = terminationMessage(dir.resolve("out"));
        assertThat(message.get("steps").asInt()).isEqualTo(48);
        assertThat(message.get("workers").asInt()).isEqualTo(1);
    }

    @Test
    @Timeout(120)
    void aListenAddressThatDoesNotResolveExitsTwoNamingTheOption() throws Exception {
        Workers workers = new Workers(dir, JOB);
        ProcessBuilder builder = Workers.alone(workers.worker(0, 0, "out", "worker"));
        List<String> command = builder.command();
        command.set(
                command.indexOf("--listen-address=127.0.0.1"),
                "--listen-address=no-such-host.invalid");

        Process worker = builder.start();

        assertThat(Workers.exitCode(worker)).as(workers.log("worker")).isEqualTo(2);
        assertThat(terminationMessage(dir.resolve("out")).get("error").asText())
                .isEqualTo(
                        "--listen-address: expected an address of this machine, got"
                                + " 'no-such-host.invalid', which does not resolve");
    }

    @Test
    @Timeout(180)
    void sigtermCheckpointsAtAStepBoundaryExits143AndTheResumedRunEndsAsAnUninterruptedOne()
            throws Exception {
        Workers workers = new Workers(dir, JOB);
        String onlyStopCheckpoints = "spec.checkpoint.everySteps=1000";
        String oneEpoch = "spec.training.epochs=1";
        int port = Workers.freePort();
        Process worker =
                Workers.resuming(
                                Workers.alone(
                                        workers.worker(
                                                0,
                                                port,
                                                "out",
                                                "first",
                                                onlyStopCheckpoints,
                                                oneEpoch)))
                        .start();
        Workers.await(
                "two steps",
                Duration.ofSeconds(60),
                () -> {
                    Progress p = progressOrNull(port);
                    return p != null && p.getStep() >= 2 || !worker.isAlive();
                });
        worker.destroy(); // SIGTERM

        assertThat(Workers.exitCode(worker)).as(workers.log("first")).isEqualTo(143);
        JsonNode stopped = terminationMessage(dir.resolve("out"));
        assertThat(stopped.get("stopped").asBoolean()).isTrue();
        long step = stopped.get("step").asLong();
        assertThat(step).isBetween(2L, 11L);
        assertThat(dir.resolve("out/checkpoints").resolve(String.format("step-%012d.ckpt", step)))
                .exists();

        Process resumed =
                Workers.resuming(
                                Workers.alone(
                                        workers.worker(
                                                0,
                                                Workers.freePort(),
                                                "out",
                                                "resumed",
                                                onlyStopCheckpoints,
                                                oneEpoch)))
                        .start();
        assertThat(Workers.exitCode(resumed)).as(workers.log("resumed")).isZero();
        assertThat(workers.log("resumed")).contains("resuming from step " + step);

        StringWriter err = new StringWriter();
        int code =
                SamTrainer.execute(
                        new PrintWriter(err, true),
                        "run",
                        workers.manifest().toString(),
                        "--out=" + dir.resolve("straight"),
                        "--threads=1",
                        "--set=" + onlyStopCheckpoints,
                        "--set=" + oneEpoch);
        assertThat(code).as(err.toString()).isZero();
        assertThat(terminationMessage(dir.resolve("out")).get("parameterChecksum").asText())
                .isEqualTo(summary(dir.resolve("straight")).get("parameterChecksum").asText());
    }

    @Test
    @Timeout(60)
    void sampaRankOneWithoutSamPeerExitsTwoNamingIt() throws Exception {
        Workers workers = new Workers(dir, JOB.replace("method: SAM", "method: SAMPa"));
        Process worker =
                Workers.alone(workers.worker(1, Workers.freePort(), "out", "rank1")).start();

        assertThat(Workers.exitCode(worker)).isEqualTo(2);
        assertThat(workers.log("rank1")).contains("SAM_PEER");
    }

    private static Progress progressOrNull(int port) {
        try {
            return Workers.progress(port, Workers.TOKEN);
        } catch (StatusRuntimeException e) {
            return null; // not serving yet
        }
    }

    private static JsonNode terminationMessage(Path out) throws IOException {
        return new ObjectMapper()
                .readTree(Files.readString(out.resolve("termination-message.json")));
    }

    private static JsonNode summary(Path out) throws IOException {
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }
}
