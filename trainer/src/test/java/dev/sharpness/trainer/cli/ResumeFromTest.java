package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --resume-from CHECKPOINT}: continues from the named checkpoint (or the best model)
 * exactly as from the newest, refuses what it cannot continue from with one clear line, and never
 * mixes the continued run with checkpoints after the named one.
 */
class ResumeFromTest {
    /** 3 epochs of 3 steps (115 training samples / 32), a checkpoint after every step. */
    private static final String JOB =
            RunCommandTest.JOB.replace("epochs: 2", "epochs: 3")
                    + "  checkpoint: {everySteps: 1, keep: 20}\n";

    @TempDir Path dir;
    private StringWriter err = new StringWriter();

    private int run(String out, String... extra) throws IOException {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, JOB);
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "run",
                                file.toString(),
                                "--out=" + dir.resolve(out),
                                "--threads=1"));
        args.addAll(List.of(extra));
        err = new StringWriter();
        return SamTrainer.execute(new PrintWriter(err, true), args.toArray(String[]::new));
    }

    private JsonNode summary(String out) throws IOException {
        return new ObjectMapper().readTree(dir.resolve(out).resolve("summary.json").toFile());
    }

    private Path checkpoint(String out, int step) {
        return dir.resolve(out).resolve("checkpoints").resolve("step-%012d.ckpt".formatted(step));
    }

    @Test
    void continuingFromAnOlderCheckpointEndsAsTheUninterruptedRunOnceTheLaterOnesGo()
            throws IOException {
        assertThat(run("straight")).isZero();
        assertThat(run("out")).isZero();

        assertThat(run("out", "--resume-from=" + checkpoint("out", 4))).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "holds 6 file(s) saved after step 4 (checkpoints or the best model, up to step 9)")
                .contains("--overwrite");
        assertThat(checkpoint("out", 9)).exists();

        assertThat(run("out", "--resume-from=" + checkpoint("out", 4), "--overwrite"))
                .as(err.toString())
                .isZero();
        assertThat(summary("out").get("parameterChecksum").asText())
                .isEqualTo(summary("straight").get("parameterChecksum").asText());
        assertThat(summary("out").get("steps").asInt()).isEqualTo(9);
    }

    @Test
    void continuingFromTheBestModelTakesItsStep() throws IOException {
        assertThat(run("out", "--set=spec.training.maxSteps=6")).isZero();
        int bestStep = 3 * summary("out").get("bestEpoch").asInt();
        assertThat(run("out", "--resume-from=" + dir.resolve("out/best-model"), "--overwrite"))
                .as(err.toString())
                .isZero();
        assertThat(run("straight")).isZero();
        assertThat(summary("out").get("parameterChecksum").asText())
                .isEqualTo(summary("straight").get("parameterChecksum").asText());
        assertThat(bestStep).isBetween(3, 6);
    }

    @Test
    void aMissingCheckpointIsRefusedNamingIt() throws IOException {
        Path missing = dir.resolve("nowhere/step-000000000004.ckpt");
        assertThat(run("out", "--resume-from=" + missing)).isEqualTo(2);
        assertThat(err.toString())
                .contains("--resume-from: no such file " + missing)
                .contains("expected a checkpoint file");
    }

    @Test
    void aDamagedCheckpointIsRefusedBeforeAnythingChanges() throws IOException {
        assertThat(run("out", "--set=spec.training.maxSteps=5")).isZero();
        Path file = checkpoint("out", 4);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= (byte) 0xFF;
        Files.write(file, bytes);
        assertThat(run("out", "--resume-from=" + file)).isNotZero();
        assertThat(err.toString()).contains(file.toString()).contains("corrupt");
        assertThat(checkpoint("out", 5)).exists();
    }

    @Test
    void aCheckpointOfAnotherSpecIsRefusedNamingTheDifference() throws IOException {
        assertThat(run("out", "--set=spec.training.maxSteps=5")).isZero();
        assertThat(
                        run(
                                "out",
                                "--resume-from=" + checkpoint("out", 4),
                                "--set=spec.optimizer.rho=0.1"))
                .isNotZero();
        assertThat(err.toString())
                .contains("different training spec")
                .contains("spec.optimizer.rho: 0.05 -> 0.1")
                .contains("start without --resume-from");
    }
}
