package dev.sharpness.trainer.cli;

import dev.sharpness.api.manifest.ManifestLoader;
import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.trainer.checkpoint.CheckpointStore;
import dev.sharpness.trainer.data.DatasetLoader;
import dev.sharpness.trainer.data.TrainingData;
import dev.sharpness.trainer.report.RunOutputs;
import dev.sharpness.trainer.report.SummaryTable;
import dev.sharpness.trainer.training.RunSummary;
import dev.sharpness.trainer.training.StopRequest;
import dev.sharpness.trainer.training.StoppedException;
import dev.sharpness.trainer.training.TrainingRun;
import dev.sharpness.trainer.training.listener.ConsoleProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sam-trainer run MANIFEST}: trains the job here, writes the run folder, prints a summary.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Train the SamTrainingJob in MANIFEST on this machine.")
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MANIFEST", description = "A SamTrainingJob YAML file.")
    Path manifest;

    @Option(
            names = "--serial",
            description =
                    "SAMPa: run both workers' roles in this one process (the emulation the pair is"
                            + " checked against) instead of two worker processes.")
    boolean serial;

    @Option(
            names = "--overwrite",
            description =
                    "Start fresh in a run folder that holds an earlier run, removing its"
                            + " checkpoints, best model and summary (without it, such a folder is"
                            + " refused); with --resume-from, remove the checkpoints after the"
                            + " one named.")
    boolean overwrite;

    @Mixin RunOptions options = new RunOptions();

    @Spec CommandSpec command;

    /** How long SIGTERM or SIGINT waits for the stop: a worker's own grace, and a little more. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(25);

    @Override
    public Integer call() throws IOException, InterruptedException {
        options.exchangeStreams(); // an unusable --exchange-streams fails here, not in the workers
        Path manifestDirectory = manifest.toAbsolutePath().getParent();
        SamTrainingJob job = ManifestLoader.load(manifest, options.overrides);
        EngineSetup.configure(threads(job));
        absoluteDataPath(job, manifestDirectory);
        SamTrainingJobSpec spec = job.getSpec();
        String name = job.getMetadata().getName();
        Path runDirectory = options.runDirectory(name).toAbsolutePath();
        try (RunFolder folder = RunFolder.hold(runDirectory, RunFolder.LOCK)) {
            // Workers of a run whose launcher was killed stop by themselves within a step and a
            // checkpoint; until then they still write here.
            RunFolder.requireFree(runDirectory, RunFolder.WORKER_LOCK);
            RunFolder.requireFree(runDirectory.resolve("rank-1"), RunFolder.WORKER_LOCK);
            Path checkpoints = TrainingRun.checkpointDirectory(spec, runDirectory);
            // Nothing in the folder changes before the job is known to be valid and its data
            // to open.
            TrainingData data =
                    DatasetLoader.load(
                            spec.getDataset(), manifestDirectory, spec.getTraining().getSeed());
            PrintWriter err = command.commandLine().getErr();
            JobWarnings.print(job, data.train().size(), serial, err);
            prepare(folder, job, checkpoints, err);
            Path savedJob = folder.writeJob(job);
            return train(job, savedJob, runDirectory, data);
        }
    }

    /** Makes the folder ready for a fresh, resumed or {@code --resume-from} run, or refuses. */
    private void prepare(RunFolder folder, SamTrainingJob job, Path checkpoints, PrintWriter err)
            throws IOException {
        if (options.resumeFrom != null) {
            long step = RunFolder.requireResumableFrom(job, options.resumeFromFile());
            folder.dropAfter(step, checkpoints, overwrite);
        } else if (options.resume) {
            if (new CheckpointStore(checkpoints, 1).list().isEmpty()) {
                // Most often a mistyped --out: say so rather than silently start over.
                err.println(
                        "sam-trainer: warning: --resume: no checkpoint in "
                                + checkpoints
                                + "; starting from step 0 (check --out if a run was expected"
                                + " there)");
            }
            RunFolder.requireResumable(job, checkpoints, folder.directory().resolve(RunFolder.JOB));
        } else {
            folder.startFresh(checkpoints, overwrite);
        }
    }

    /**
     * Trains, stopping at the next step boundary with a checkpoint on SIGTERM or SIGINT (a pair:
     * both workers, which get the signal from here), as {@code worker} does.
     */
    private int train(SamTrainingJob job, Path savedJob, Path runDirectory, TrainingData data)
            throws IOException, InterruptedException {
        PrintWriter err = command.commandLine().getErr();
        StopRequest stop = new StopRequest();
        Thread hook = new Thread(() -> stopGracefully(stop), "stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (job.getSpec().getOptimizer().getMethod() == OptimizerSpec.Method.SAMPA && !serial) {
                int code =
                        PairLauncher.run(
                                savedJob,
                                runDirectory,
                                options.threads,
                                options.workerArguments(),
                                stop,
                                err);
                if (code == ExitCodes.OK) {
                    System.out.println();
                    System.out.print(
                            SummaryTable.render(RunOutputs.read(runDirectory), runDirectory));
                }
                return code;
            }
            RunSummary summary;
            try {
                summary =
                        new TrainingRun(
                                        job,
                                        savedJob.getParent(),
                                        runDirectory,
                                        options.resuming(),
                                        ConsoleProgress.forStandardOutput(
                                                job.getMetadata().getName()))
                                .resumingFrom(options.resumeFromFile())
                                .stoppable(stop)
                                .withData(data)
                                .execute();
            } catch (StoppedException e) {
                err.println(stopped(e.step(), e.checkpoint()));
                return ExitCodes.TERMINATED;
            }
            RunOutputs.write(runDirectory, summary, job.getSpec());
            System.out.println();
            System.out.print(SummaryTable.render(summary, runDirectory));
            return ExitCodes.OK;
        } finally {
            stop.ended();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running and waits for the stop above.
            }
        }
    }

    /**
     * {@code --threads}, or by default: all cores, except for SAMPa, whose two workers take half
     * each, and whose serial emulation takes as many as one worker, so that {@code run} and {@code
     * run --serial} end with the same parameters (the thread count is part of a bit-exact result).
     */
    private Integer threads(SamTrainingJob job) {
        if (options.threads != null
                || job.getSpec().getOptimizer().getMethod() != OptimizerSpec.Method.SAMPA) {
            return options.threads;
        }
        return PairLauncher.threadsPerRank();
    }

    /** The line `run` ends with when it was stopped by a signal. */
    static String stopped(long step, Path checkpoint) {
        return "sam-trainer: stopped after step "
                + step
                + (checkpoint == null ? " (no checkpoint written)" : "; checkpoint " + checkpoint)
                + "; run again with --resume to continue";
    }

    /**
     * The shutdown hook for SIGTERM and SIGINT: asks the run to stop and waits, bounded, until it
     * has reported where it stopped; the JVM then exits 143 (SIGTERM) or 130 (SIGINT).
     */
    private static void stopGracefully(StopRequest stop) {
        stop.request();
        try {
            if (!stop.awaitEnd(STOP_GRACE)) {
                System.err.printf(
                        "sam-trainer: the run did not stop within %d s: exiting anyway%n",
                        STOP_GRACE.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A relative {@code spec.dataset.path} is relative to the manifest; the saved {@code job.yaml}
     * lives elsewhere and may be run from anywhere, so it names the data by absolute path.
     */
    private static void absoluteDataPath(SamTrainingJob job, Path manifestDirectory) {
        DatasetSpec dataset = job.getSpec().getDataset();
        if (dataset != null && dataset.getPath() != null && !dataset.getPath().isBlank()) {
            dataset.setPath(manifestDirectory.resolve(dataset.getPath()).normalize().toString());
        }
    }
}
