package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sharpness.trainer.checkpoint.CheckpointStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SAMPa pair resumes from rank 0's checkpoint exactly: rank 0 keeps rank 1's BatchNorm statistics
 * in it and hands the whole state to rank 1 when they pair again, so both ranks end with the
 * parameters and statistics of the uninterrupted pair, whichever rank was lost.
 */
class PairResumeTest {
    /** 384 training samples in batches of 32: 12 steps per epoch, 36 in all. */
    private static final String JOB =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: pair-job}
            spec:
              model: {architecture: cnn}
              dataset:
                format: synthetic
                validationFraction: 0.25
                synthetic: {trainSamples: 512, testSamples: 64, classes: 4, imageSize: 8}
              optimizer:
                method: SAMPa
                rho: 0.05
                sampa: {lambda: 0.2}
                base: {learningRate: 0.05}
              training: {epochs: 3, batchSize: 32, seed: 7}
              communication: {exchangeTimeoutSeconds: 30, checksumEverySteps: 4}
              checkpoint: {everySteps: 4, keep: 3}
            """;

    @TempDir static Path shared;
    @TempDir Path dir;

    /** The uninterrupted pair's rank 0 and rank 1 checksums. */
    private static String straight0;

    private static String straight1;

    @BeforeAll
    static void runThePairUninterrupted() throws IOException {
        Workers workers = new Workers(shared, JOB);
        run(workers, shared.resolve("straight"));
        straight0 = checksum(shared.resolve("straight"));
        straight1 = checksum(shared.resolve("straight/rank-1"));
        assertThat(straight1)
                .as("each rank keeps its own BatchNorm statistics")
                .isNotEqualTo(straight0);
    }

    @Test
    @Timeout(180)
    void runResumeContinuesAPairThatStoppedEarly() throws IOException {
        Workers workers = new Workers(dir, JOB);
        Path out = dir.resolve("run");
        run(workers, out, "--set=spec.training.maxSteps=10");
        assertThat(checksum(out)).isNotEqualTo(straight0);

        run(workers, out, "--resume");

        assertThat(checksum(out)).isEqualTo(straight0);
        assertThat(checksum(out.resolve("rank-1"))).isEqualTo(straight1);
    }

    @Test
    @Timeout(240)
    void pairLosingEitherRankResumesToTheUninterruptedParameters() throws Exception {
        Workers workers = new Workers(dir, JOB);
        CheckpointStore checkpoints = new CheckpointStore(dir.resolve("out/checkpoints"), 3);

        Process[] first = startPair(workers, "first");
        awaitCheckpointAfter(checkpoints, 0);
        first[1].destroyForcibly();
        assertThat(Workers.exitCode(first[0])).as(workers.log("first-0")).isEqualTo(3);
        assertThat(Workers.exitCode(first[1])).isNotZero();
        long firstStop = newest(checkpoints);
        assertThat(firstStop).isLessThan(36);

        Process[] second = startPair(workers, "second");
        awaitCheckpointAfter(checkpoints, firstStop);
        second[0].destroyForcibly();
        assertThat(Workers.exitCode(second[1])).as(workers.log("second-1")).isEqualTo(3);
        assertThat(Workers.exitCode(second[0])).isNotZero();
        assertThat(workers.log("second-1")).contains("resuming from step " + firstStop);
        long secondStop = newest(checkpoints);
        assertThat(secondStop).isLessThan(36);

        Process[] third = startPair(workers, "third");
        assertThat(Workers.exitCode(third[0])).as(workers.log("third-0")).isZero();
        assertThat(Workers.exitCode(third[1])).as(workers.log("third-1")).isZero();
        assertThat(workers.log("third-1")).contains("resuming from step " + secondStop);

        assertThat(checksum(dir.resolve("out"))).isEqualTo(straight0);
        assertThat(checksum(dir.resolve("out/rank-1"))).isEqualTo(straight1);
    }

    /**
     * SIGTERM to rank 1 alone (its node drained) travels with its next gradient: both ranks stop
     * after that step, rank 0 with a checkpoint that holds rank 1's state, and both exit 143.
     */
    @Test
    @Timeout(180)
    void sigtermToOneRankStopsBothAtOneStepWithACheckpointToResumeFrom() throws Exception {
        Workers workers = new Workers(dir, JOB);
        CheckpointStore checkpoints = new CheckpointStore(dir.resolve("out/checkpoints"), 3);

        Process[] pair = startPair(workers, "first");
        awaitCheckpointAfter(checkpoints, 0);
        pair[1].destroy(); // SIGTERM
        assertThat(Workers.exitCode(pair[1])).as(workers.log("first-1")).isEqualTo(143);
        assertThat(Workers.exitCode(pair[0])).as(workers.log("first-0")).isEqualTo(143);
        JsonNode rank0 = terminationMessage(dir.resolve("out"));
        JsonNode rank1 = terminationMessage(dir.resolve("out/rank-1"));
        long step = rank0.get("step").asLong();
        assertThat(rank1.get("step").asLong()).isEqualTo(step);
        assertThat(rank0.get("checkpoint").asText())
                .endsWith(String.format("step-%012d.ckpt", step));
        assertThat(newest(checkpoints)).isEqualTo(step);

        Process[] resumed = startPair(workers, "second");
        assertThat(Workers.exitCode(resumed[0])).as(workers.log("second-0")).isZero();
        assertThat(Workers.exitCode(resumed[1])).as(workers.log("second-1")).isZero();
        assertThat(checksum(dir.resolve("out"))).isEqualTo(straight0);
        assertThat(checksum(dir.resolve("out/rank-1"))).isEqualTo(straight1);
    }

    /** Both ranks with --resume, as the operator starts every attempt. */
    private static Process[] startPair(Workers workers, String name) throws IOException {
        int port = Workers.freePort();
        Process rank0 = Workers.resuming(workers.worker(0, port, "out", name + "-0")).start();
        Process rank1 =
                Workers.resuming(workers.worker(1, port, "out/rank-1", name + "-1")).start();
        return new Process[] {rank0, rank1};
    }

    private static void awaitCheckpointAfter(CheckpointStore checkpoints, long step)
            throws InterruptedException {
        Workers.await(
                "a checkpoint after step " + step,
                Duration.ofSeconds(90),
                () -> newest(checkpoints) > step);
    }

    private static long newest(CheckpointStore checkpoints) {
        List<Path> files = checkpoints.list();
        if (files.isEmpty()) {
            return 0;
        }
        String name = files.get(files.size() - 1).getFileName().toString();
        return Long.parseLong(name.substring("step-".length(), name.indexOf('.')));
    }

    private static void run(Workers workers, Path out, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "run";
        args[1] = workers.manifest().toString();
        args[2] = "--out=" + out;
        args[3] = "--threads=1";
        System.arraycopy(extra, 0, args, 4, extra.length);
        StringWriter err = new StringWriter();
        assertThat(SamTrainer.execute(new PrintWriter(err, true), args))
                .as(err.toString())
                .isZero();
    }

    private static JsonNode terminationMessage(Path out) throws IOException {
        return new ObjectMapper().readTree(out.resolve("termination-message.json").toFile());
    }

    private static String checksum(Path out) throws IOException {
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        return summary.get("parameterChecksum").asText();
    }
}
