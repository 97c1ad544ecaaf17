package dev.sharpness.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Mistakes on the command line end with exit 2 and one line naming the option, no stack trace. */
class CliMessagesTest {
    /** RunCommandTest's job, one epoch long. */
    private static final String JOB = RunCommandTest.JOB.replace("epochs: 2", "epochs: 1");

    @TempDir Path dir;
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        return SamTrainer.execute(new PrintWriter(err, true), args);
    }

    private int run(Path out, String... extra) throws IOException {
        return run(JOB, out, extra);
    }

    private int run(String job, Path out, String... extra) throws IOException {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, job);
        String[] args = new String[3 + extra.length];
        args[0] = "run";
        args[1] = file.toString();
        args[2] = "--out=" + out;
        System.arraycopy(extra, 0, args, 3, extra.length);
        return execute(args);
    }

    private void assertOneLine() {
        assertThat(err.toString().strip()).doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void zeroThreadsNamesTheOption() throws IOException {
        assertThat(run(dir.resolve("out"), "--threads=0")).isEqualTo(2);
        assertThat(err.toString()).contains("--threads").contains("at least 1").contains("got 0");
        assertOneLine();
    }

    @Test
    void exchangeStreamsOutOfRangeNamesTheOptionAndTheRange() throws IOException {
        for (String streams : new String[] {"0", "17"}) {
            err.getBuffer().setLength(0);
            assertThat(run(dir.resolve("out"), "--exchange-streams=" + streams)).isEqualTo(2);
            assertThat(err.toString())
                    .contains("--exchange-streams")
                    .contains("1 to 16")
                    .contains("got " + streams);
            assertOneLine();
        }
    }

    @Test
    void unknownBenchMethodNamesTheOptionAndTheChoices() {
        assertThat(execute("bench", "--methods", "FOO")).isEqualTo(2);
        assertThat(err.toString())
                .contains("--methods")
                .contains("SGD, SAM, KSAM, LookSAM, SAMPa")
                .contains("FOO");
        assertOneLine();
    }

    @Test
    void aSpecErrorExitsTwoWithOneLineNamingTheField() throws IOException {
        String nan = JOB.replace("method: SAM,", "method: SAM, rho: \"NaN\",");
        assertThat(run(nan, dir.resolve("out"))).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo(
                        "sam-trainer: "
                                + dir.resolve("job.yaml")
                                + ": spec.optimizer.rho: expected a finite number, got \"NaN\"");
    }

    @Test
    void aBrokenCelRuleOfTheApiTypesExitsTwoWithTheRulesMessage() throws IOException {
        assertThat(run(dir.resolve("out"), "--set", "spec.optimizer.sampa={lambda: 0.2}"))
                .isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo(
                        "sam-trainer: "
                                + dir.resolve("job.yaml")
                                + ": spec.optimizer: sampa is only allowed with method SAMPa (from"
                                + " --set spec.optimizer.sampa={lambda: 0.2})");
    }

    /** A command failing the way a bug in the trainer does. */
    @Command(name = "buggy")
    static final class Buggy implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalArgumentException("a bug, not a spec error");
        }
    }

    @Test
    void anUnexpectedIllegalArgumentExceptionIsACrashWithItsStackTrace() {
        int code =
                new CommandLine(new Buggy())
                        .setExecutionExceptionHandler(new ExitCodes())
                        .setErr(new PrintWriter(err, true))
                        .execute();

        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .contains("java.lang.IllegalArgumentException: a bug, not a spec error")
                .contains("at " + Buggy.class.getName() + ".call");
    }

    @Test
    void outUnderARegularFileNamesTheFolder() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path out = file.resolve("out");
        assertThat(run(out, "--threads=1")).isEqualTo(2);
        assertThat(err.toString()).contains(out.toString()).contains("--out").contains("writable");
        assertOneLine();
    }

    @Test
    void readOnlyOutNamesTheFolder() throws IOException {
        Path out = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(out), "permissions do not bind this user (root)");
            assertThat(run(out, "--threads=1")).isEqualTo(2);
            assertThat(err.toString()).contains(out.toString()).contains("--out");
            assertOneLine();
        } finally {
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void resumeInAFolderWithoutACheckpointWarnsNamingItAndStartsOver() throws IOException {
        Path out = dir.resolve("mistyped");
        assertThat(run(out, "--threads=1", "--resume")).isZero();
        assertThat(err.toString())
                .contains("warning: --resume: no checkpoint in " + out.resolve("checkpoints"))
                .contains("step 0");
        assertThat(out.resolve("summary.json")).exists();
    }

    @Test
    void topKLargerThanTheBatchAndSerialWithoutSampaWarnAndTheRunGoesOn() throws IOException {
        String ksam = JOB.replace("method: SAM,", "method: KSAM, ksam: {topK: 64},");
        assertThat(run(ksam, dir.resolve("out"), "--threads=1", "--serial")).isZero();
        assertThat(err.toString())
                .contains("warning: spec.optimizer.ksam.topK 64 is larger than the batch (32")
                .contains("warning: --serial applies only to SAMPa; ignored for method KSAM");
    }
}
