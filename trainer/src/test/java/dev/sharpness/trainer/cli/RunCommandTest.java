package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `sam-trainer run`: the run folder it leaves, and the exit codes and messages the operator acts
 * on.
 */
class RunCommandTest {
    private static final String JOB =
            """
            apiVersion: sharpness.dev/v1alpha1
            kind: SamTrainingJob
            metadata: {name: cli-job}
            spec:
              model: {architecture: mlp}
              dataset:
                format: synthetic
                synthetic: {trainSamples: 128, testSamples: 32, classes: 3, imageSize: 6}
              optimizer: {method: SAM, base: {learningRate: 0.05}}
              training: {epochs: 2, batchSize: 32}
            """;

    @TempDir Path dir;
    private final StringWriter err = new StringWriter();

    private int run(String manifest, String... extra) throws IOException {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, manifest);
        String[] args = new String[3 + extra.length];
        args[0] = "run";
        args[1] = file.toString();
        args[2] = "--out=" + dir.resolve("out");
        System.arraycopy(extra, 0, args, 3, extra.length);
        return SamTrainer.execute(new PrintWriter(err, true), args);
    }

    @Test
    void runLeavesSummaryMetricsCurvesAndCheckpoints() throws IOException {
        assertThat(run(JOB, "--threads=1")).isZero();
        Path out = dir.resolve("out");
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("method").asText()).isEqualTo("SAM");
        assertThat(summary.get("epochs").asInt()).isEqualTo(2);
        assertThat(summary.get("steps").asInt()).isEqualTo(6); // 115 train samples / 32
        assertThat(summary.get("sequentialGradientComputations").asInt()).isEqualTo(12);
        assertThat(summary.get("parameterChecksum").asText()).hasSize(64);
        for (String field :
                new String[] {
                    "trainLoss",
                    "validationAccuracy",
                    "testAccuracy",
                    "bestValidationAccuracy",
                    "wallSeconds",
                    "stepsPerSecond"
                }) {
            assertThat(summary.has(field)).as(field).isTrue();
        }
        assertThat(Files.readAllLines(out.resolve("metrics.csv"))).hasSize(3);
        assertThat(Files.size(out.resolve("curves.png"))).isGreaterThan(1000);
        assertThat(out.resolve("checkpoints")).isNotEmptyDirectory();
        assertThat(out.resolve("job.yaml")).content().contains("labelSmoothing");
    }

    @Test
    void invalidManifestExitsTwoNamingTheField() throws IOException {
        assertThat(run(JOB.replace("rho: 0.05", "").replace("method: SAM", "method: ADAM")))
                .isEqualTo(2);
        assertThat(err.toString()).contains("spec.optimizer.method").contains("SAMPa");
    }

    @Test
    void unknownOverridePathExitsTwo() throws IOException {
        assertThat(run(JOB, "--set", "spec.training.epoch=3")).isEqualTo(2);
        assertThat(err.toString()).contains("spec.training.epoch");
    }

    @Test
    void missingDatasetExitsTwoNamingThePath() throws IOException {
        String fmnist =
                JOB.replace("format: synthetic", "format: fashion-mnist\n    path: no-such-dir");
        assertThat(run(fmnist)).isEqualTo(2);
        assertThat(err.toString()).contains("no-such-dir");
    }

    @Test
    void divergingRunExitsFour() throws IOException {
        assertThat(run(JOB, "--set", "spec.optimizer.base.learningRate=100")).isEqualTo(4);
        assertThat(err.toString()).contains("diverged");
    }
}
