package dev.sharpness.trainer.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options `run` and `worker` share: where the run goes, overrides, resume, threads. */
final class RunOptions {
    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Run folder (default: runs/<job name>).")
    Path out;

    @Option(
            names = "--set",
            paramLabel = "PATH=VALUE",
            description = "Override a field, e.g. --set spec.training.epochs=1 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--resume",
            description = "Continue from the newest valid checkpoint in the run folder.")
    boolean resume;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "PyTorch intra-op threads (default: all cores; for SAMPa half the cores for"
                            + " each of its two workers, and as many for --serial, so that both"
                            + " end with the same parameters).")
    Integer threads;

    /** {@code --out}, or runs/<job name>. */
    Path runDirectory(String jobName) {
        return out != null ? out : Path.of("runs", jobName);
    }
}
