package dev.sharpness.trainer.cli;

import dev.sharpness.trainer.exchange.PairExchange;
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
            names = "--resume-from",
            paramLabel = "CHECKPOINT",
            description =
                    "Continue from this checkpoint file, or a run folder's best-model/, instead of"
                            + " the newest (implies --resume).")
    Path resumeFrom;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "PyTorch intra-op threads (default: all cores; for SAMPa half the cores for"
                            + " each of its two workers, and as many for --serial, so that both"
                            + " end with the same parameters; a pod's worker: its CPU request,"
                            + " SAM_CPU_CORES).")
    Integer threads;

    @Option(
            names = "--exchange-streams",
            paramLabel = "N",
            description =
                    "SAMPa pair: gradient exchange streams a rank offers, each on its own"
                            + " connection and cores; the pair uses the fewer of both ranks'"
                            + " (default: spec.communication.streams, else one per two cores the"
                            + " worker may use or its pod requested, 1 to 8).")
    Integer exchangeStreams;

    /** When a SAMPa rank begins its swap during the backward pass ({@code --overlap-backward}). */
    enum Overlap {
        auto,
        on,
        off
    }

    @Option(
            names = "--overlap-backward",
            paramLabel = "WHEN",
            description =
                    "SAMPa pair: begin each gradient swap while the backward pass still computes"
                            + " the gradient's lower layers, sending the top layers' part"
                            + " meanwhile: auto (default: where the model trains on a GPU), on or"
                            + " off. The parameters are the same bit for bit either way.")
    Overlap overlapBackward = Overlap.auto;

    /**
     * Whether a SAMPa rank overlaps its swap with its backward pass: as {@code --overlap-backward}
     * says, by default where the pass runs on a GPU ({@code onGpu}). On CPU cores the pass and the
     * exchange would take turns on the same cores.
     */
    boolean overlapBackward(boolean onGpu) {
        return switch (overlapBackward) {
            case auto -> onGpu;
            case on -> true;
            case off -> false;
        };
    }

    /**
     * {@code --exchange-streams}, or the default from the cores this process may use.
     *
     * @throws InvalidJobException when it is outside 1 to {@link PairExchange#maxStreams}
     */
    int exchangeStreams() {
        return exchangeStreams(Runtime.getRuntime().availableProcessors(), null);
    }

    /**
     * {@code --exchange-streams}, else the spec's {@code communication.streams} ({@code specified},
     * checked against the same bounds by the schema), else the default for {@code cores}.
     *
     * @throws InvalidJobException when the option is outside 1 to {@link PairExchange#maxStreams}
     */
    int exchangeStreams(int cores, Integer specified) {
        if (exchangeStreams == null) {
            return specified != null ? specified : PairExchange.defaultStreams(cores);
        }
        if (exchangeStreams < 1 || exchangeStreams > PairExchange.maxStreams()) {
            throw new InvalidJobException(
                    "--exchange-streams: expected 1 to "
                            + PairExchange.maxStreams()
                            + ", got "
                            + exchangeStreams,
                    null);
        }
        return exchangeStreams;
    }

    /** Whether the run continues from a checkpoint: {@code --resume} or {@code --resume-from}. */
    boolean resuming() {
        return resume || resumeFrom != null;
    }

    /** The checkpoint file {@code --resume-from} names (a folder: its checkpoint); else null. */
    Path resumeFromFile() {
        return resumeFrom == null ? null : RunFolder.checkpointFile(resumeFrom.toAbsolutePath());
    }

    /**
     * The options a pair's workers take from {@code run}: resuming as this process does, and the
     * exchange's options.
     */
    List<String> workerArguments() {
        List<String> passed = new ArrayList<>();
        if (resumeFrom != null) {
            passed.add("--resume-from=" + resumeFromFile());
        } else if (resume) {
            passed.add("--resume");
        }
        if (exchangeStreams != null) {
            passed.add("--exchange-streams=" + exchangeStreams);
        }
        passed.add("--overlap-backward=" + overlapBackward);
        return passed;
    }

    /** {@code --out}, or runs/<job name>. */
    Path runDirectory(String jobName) {
        return out != null ? out : Path.of("runs", jobName);
    }
}
