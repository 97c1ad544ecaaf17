package dev.sharpness.trainer.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What `evaluate`, `predict` and `export` read: a run folder or a checkpoint, and overrides. */
final class ModelSource {
    @Parameters(
            index = "0",
            paramLabel = "RUN_DIR|CHECKPOINT",
            description =
                    "A run folder (its best model, else its newest checkpoint) or one checkpoint"
                            + " file in a run folder (read with the folder's job.yaml).")
    Path source;

    @Option(
            names = "--set",
            paramLabel = "PATH=VALUE",
            description =
                    "Override a field of the run's job.yaml, e.g. --set"
                            + " spec.dataset.path=/other/data (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "PyTorch intra-op threads (default: all cores).")
    Integer threads;
}
