package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
    static final String JOB =
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
    void bestEpochCountsFromOneAsMetricsCsvDoes() throws IOException {
        assertThat(run(JOB, "--threads=1")).isZero();
        Path out = dir.resolve("out");
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        int best = summary.get("bestEpoch").asInt();
        assertThat(best).isBetween(1, 2);
        String row =
                Files.readAllLines(out.resolve("metrics.csv")).stream()
                        .filter(line -> line.startsWith(best + ","))
                        .findFirst()
                        .orElseThrow();
        double validation = Double.parseDouble(row.split(",")[6]);
        assertThat(validation)
                .isCloseTo(summary.get("bestValidationAccuracy").asDouble(), within(1e-6));
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

    @Test
    void aFreshRunIntoAFolderHoldingARunIsRefusedAndKeepsIt() throws IOException {
        assertThat(run(JOB, "--threads=1")).isZero();
        Path out = dir.resolve("out");
        long checkpoints = count(out.resolve("checkpoints"));

        assertThat(run(JOB, "--threads=1")).isEqualTo(2);

        assertThat(err.toString())
                .contains(out.toString())
                .contains("--resume")
                .contains("--overwrite");
        assertThat(count(out.resolve("checkpoints"))).isEqualTo(checkpoints).isPositive();
        assertThat(out.resolve("summary.json")).exists();
    }

    @Test
    void overwriteWithATypoInTheDatasetPathDeletesNothing() throws IOException {
        assertThat(run(JOB, "--threads=1")).isZero();
        Path out = dir.resolve("out");
        long checkpoints = count(out.resolve("checkpoints"));
        String saved = Files.readString(out.resolve("job.yaml"));

        assertThat(
                        run(
                                JOB,
                                "--overwrite",
                                "--set",
                                "spec.dataset.format=fashion-mnist",
                                "--set",
                                "spec.dataset.path=no-such-dir"))
                .isEqualTo(2);

        assertThat(err.toString()).contains("no-such-dir");
        assertThat(count(out.resolve("checkpoints"))).isEqualTo(checkpoints).isPositive();
        assertThat(out.resolve("job.yaml")).content().isEqualTo(saved);
    }

    @Test
    void overwriteReplacesTheEarlierRun() throws IOException {
        assertThat(run(JOB, "--threads=1")).isZero();
        assertThat(run(JOB, "--threads=1", "--overwrite", "--set", "spec.training.epochs=1"))
                .as(err.toString())
                .isZero();
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("out/summary.json").toFile());
        assertThat(summary.get("epochs").asInt()).isEqualTo(1);
    }

    @Test
    void aRefusedResumeLeavesJobYamlAsTheCheckpointsWereMade() throws IOException {
        assertThat(run(JOB, "--threads=1", "--set", "spec.training.maxSteps=2")).isZero();
        Path saved = dir.resolve("out/job.yaml");
        String before = Files.readString(saved);

        assertThat(run(JOB, "--threads=1", "--resume", "--set", "spec.training.seed=99"))
                .isEqualTo(2);

        assertThat(err.toString())
                .contains("different training spec (spec.training.seed: 42 -> 99)")
                .doesNotContain("maxSteps");
        assertThat(saved).content().isEqualTo(before);
    }

    /** The saved job.yaml names its data by absolute path: it runs from any directory. */
    @Test
    void savedJobYamlRunsFromAnotherDirectory() throws IOException {
        Path data = dir.resolve("manifests/data");
        Files.createDirectories(data);
        writeIdx(data, "train", 64);
        writeIdx(data, "t10k", 16);
        String idx =
                JOB.replace(
                        "format: synthetic\n    synthetic: {trainSamples: 128, testSamples: 32,"
                                + " classes: 3, imageSize: 6}",
                        "format: mnist\n    path: data");
        Path manifest = dir.resolve("manifests/job.yaml");
        Files.writeString(manifest, idx);
        Path first = dir.resolve("first");
        assertThat(
                        SamTrainer.execute(
                                new PrintWriter(err, true),
                                "run",
                                manifest.toString(),
                                "--out=" + first,
                                "--threads=1"))
                .as(err.toString())
                .isZero();
        assertThat(first.resolve("job.yaml")).content().contains(data.toAbsolutePath().toString());

        // The saved manifest lies in another directory than the data: relative paths would miss.
        assertThat(
                        SamTrainer.execute(
                                new PrintWriter(err, true),
                                "run",
                                first.resolve("job.yaml").toString(),
                                "--out=" + dir.resolve("second"),
                                "--threads=1"))
                .as(err.toString())
                .isZero();
    }

    /** A tiny IDX pair (28x28 images of one byte value per item, labels 0..9). */
    private static void writeIdx(Path dir, String part, int items) throws IOException {
        java.nio.ByteBuffer images = java.nio.ByteBuffer.allocate(16 + items * 28 * 28);
        images.putInt(0x803).putInt(items).putInt(28).putInt(28);
        java.nio.ByteBuffer labels = java.nio.ByteBuffer.allocate(8 + items);
        labels.putInt(0x801).putInt(items);
        for (int i = 0; i < items; i++) {
            for (int p = 0; p < 28 * 28; p++) {
                images.put((byte) ((i * 37 + p) % 256));
            }
            labels.put((byte) (i % 10));
        }
        Files.write(dir.resolve(part + "-images-idx3-ubyte"), images.array());
        Files.write(dir.resolve(part + "-labels-idx1-ubyte"), labels.array());
    }

    private static long count(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.count();
        }
    }
}
