package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate}: run's checks without the run, and the manifest as run would see it. */
class ValidateCommandTest {
    @TempDir Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int validate(String manifest, String... extra) throws IOException {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, manifest);
        String[] args = new String[2 + extra.length];
        args[0] = "validate";
        args[1] = file.toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        return SamTrainer.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void aValidJobPrintsItsEffectiveManifestAndWhatTheDataHolds() throws IOException {
        assertThat(validate(RunCommandTest.JOB, "--set", "spec.training.epochs=5")).isZero();
        JsonNode effective = new YAMLMapper().readTree(out.toString());
        // Written in the manifest or by --set, and the defaults it left out.
        assertThat(effective.at("/spec/training/epochs").asInt()).isEqualTo(5);
        assertThat(effective.at("/spec/optimizer/rho").asDouble()).isEqualTo(0.05);
        assertThat(effective.at("/spec/optimizer/base/momentum").asDouble()).isEqualTo(0.9);
        assertThat(effective.at("/spec/checkpoint/everySteps").isNumber()).isTrue();
        assertThat(err.toString())
                .contains("job.yaml: valid")
                .contains("115 train, 13 validation, 32 test")
                .contains("3 steps per epoch, 5 epochs");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("nothing written").containsExactly(dir.resolve("job.yaml"));
        }
    }

    @Test
    void theMethodsOwnSectionIsFilledInToo() throws IOException {
        assertThat(validate(RunCommandTest.JOB, "--set", "spec.optimizer.method=LookSAM")).isZero();
        JsonNode effective = new YAMLMapper().readTree(out.toString());
        assertThat(effective.at("/spec/optimizer/lookSam/interval").asInt()).isEqualTo(5);
        assertThat(effective.at("/spec/optimizer/lookSam/alpha").asDouble()).isEqualTo(0.7);
    }

    @Test
    void aBadFieldExitsTwoNamingItAndPrintsNoManifest() throws IOException {
        assertThat(validate(RunCommandTest.JOB, "--set", "spec.optimizer.rho=-1")).isEqualTo(2);
        assertThat(err.toString()).contains("spec.optimizer.rho").doesNotContain("Exception");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void missingDataExitsTwoNamingTheFolder() throws IOException {
        String job =
                RunCommandTest.JOB.replace(
                        "format: synthetic", "format: fashion-mnist\n    path: no-such-dir");
        assertThat(validate(job)).isEqualTo(2);
        assertThat(err.toString()).contains("no-such-dir").doesNotContain("Exception");
        assertThat(out.toString()).isEmpty();
    }
}
