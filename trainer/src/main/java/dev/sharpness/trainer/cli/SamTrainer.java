package dev.sharpness.trainer.cli;

import dev.sharpness.api.manifest.SpecValidator;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sam-trainer}: trains a SamTrainingJob manifest on this machine. */
@Command(
        name = "sam-trainer",
        mixinStandardHelpOptions = true,
        version = "sam-trainer 0.1.0",
        description =
                "Sharpness-aware training (SGD, SAM, K-SAM, LookSAM, SAMPa) of a SamTrainingJob.",
        subcommands = {
            RunCommand.class,
            ValidateCommand.class,
            WorkerCommand.class,
            BenchCommand.class,
            EvaluateCommand.class,
            PredictCommand.class,
            ExportCommand.class
        })
public final class SamTrainer {
    public static void main(String[] args) {
        // Overlaps CEL's start-up with the JVM's loading of the rest: most commands read a job.
        SpecValidator.prepareInBackground();
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns the exit code ({@link ExitCodes} lists what each means).
     */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, with errors written to {@code err}. */
    public static int execute(PrintWriter err, String... args) {
        return execute(new PrintWriter(System.out, true), err, args);
    }

    /**
     * As {@link #execute(String...)}, with output written to {@code out}, errors to {@code err}.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(err).setOut(out).execute(args);
    }

    /** The command line {@link #execute} runs, its subcommands' objects open to configure. */
    static CommandLine commandLine(PrintWriter err) {
        return new CommandLine(new SamTrainer())
                .setExecutionExceptionHandler(new ExitCodes())
                .setErr(err);
    }
}
